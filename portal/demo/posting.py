"""The real Organizing 2.0 Fall internship posting and interns' testimonials, used by ``flask seed-demo``.

Text from the organisation's posting ("Organizing 2.0 Fall Internship") and its post "Interning For
Organizing 2.0 Is Amazeballs". The body is Markdown: one "## heading" per section of the posting.
"""

from datetime import date

from portal.formatting import long_date

TITLE = "Organizing 2.0 Fall Internship"
ORGANISATION = "Organizing 2.0"
LOCATION = "New York City (near Union Square)"

SUMMARY = (
    "We're pleased to announce our brand new internship program. It's an excellent opportunity for anyone "
    "interested in labor, progressive communications, local politics and digital strategy.\n\n"
    "Do you support social justice, equality, and other progressive values? Do your friends rely on you for "
    "political news and current events? Do you regularly use social media, blogs, and your smartphone to make "
    "your voice heard?"
)

ABOUT_ORGANISATION = (
    "Organizing 2.0 is a New York-based organization committed to building power for workers and community "
    "organizing groups. We've trained over 2000 people in the last three years to harness online tools for "
    "organizing – and we want you to join us.\n\n"
    "Organizing 2.0 is a collective of communicators and online organizers working for unions and social justice "
    "groups. We run events, trainings, consult and promote uncommon interactions within and between our "
    "communities. We cross boundaries between labor, progressives, nonprofits, tech firms, faith communities and "
    "techies of all stripes. We are located near Union Square in a co-working facility."
)

WHAT_YOU_WILL_DO = (
    "Our interns will be helping to organize training events, our annual organizing training conference, and "
    "using our tools in support of local labor struggles that need us. We're a lean organization run by "
    "volunteers, which means you'll have plenty of serious responsibilities, if you can handle them. No fetching "
    "coffee or photocopying in our office!\n\n"
    "The ideal candidate is comfortable with technology, activism and progressive politics. Our ideal candidate "
    "wants to make a difference – strengthening labor groups and unions, helping marginalized people organizing "
    "from below and progressive political groups fighting for the 99%."
)

WHAT_YOU_WILL_LEARN = (
    "- How to plan and manage professional events from A to Z\n"
    "- Organizing software and tools including Salsa, Bit.ly, Google Analytics, WordPress, Thunderclap and more\n"
    "- The makeup of New York's and America's progressive movement(s), including labor, community organizing, "
    "and progressive infrastructure\n"
    "- The basics of online marketing as applied towards social good\n"
    "- Nonprofit management skills"
)

REQUIREMENTS = (
    "- Knowledge of current events and comfort with social media\n"
    "- A passion for progressive political change\n"
    "- Highly organized, with an ability to prioritize time-sensitive assignments\n"
    "- Fearlessness – not afraid to be a bold and outside the box thinker\n"
    "- Honesty and integrity in fulfilling your commitments"
)

NICE_TO_HAVE = (
    "- Use graphics, video editing and web development software\n"
    "- Point to previous leadership experience in clubs, student government and community groups"
)

COMMITMENT_TERMS = (
    "- Minimum commitment is 15 hours/week, preference for 20-40\n"
    "- 12 week minimum"
)


def commitment(applications_open: date, applications_close: date) -> str:
    """The posting's commitment section with the program's own application window.

    The real posting says "This is a rolling admission – we accept new interns during August and
    September."; the demo's window is computed from the day it is seeded, so the sentence names its
    real dates instead of months that would contradict them.
    """
    return (
        f"This is a rolling admission – we accept applications from {long_date(applications_open)} "
        f"until {long_date(applications_close)}.\n\n{COMMITMENT_TERMS}"
    )


def body(applications_open: date, applications_close: date) -> str:
    """The posting body in Markdown, in the order the real posting gives its sections."""
    sections = (
        (f"About {ORGANISATION}", ABOUT_ORGANISATION),
        ("What you will do", WHAT_YOU_WILL_DO),
        ("What you will learn", WHAT_YOU_WILL_LEARN),
        ("What we require", REQUIREMENTS),
        ("It would be great if you could", NICE_TO_HAVE),
        ("The commitment", commitment(applications_open, applications_close)),
        ("Stipend", STIPEND_TEXT),
        ("School credit", SCHOOL_CREDIT_TEXT),
        ("Diversity", DIVERSITY_STATEMENT),
        ("Our commitment to intern rights", INTERN_RIGHTS),
        ("How to apply", HOW_TO_APPLY),
    )
    return "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections)


STIPEND_TEXT = "Stipends of $500-$1000 a month available (25 hours/week and up)."

SCHOOL_CREDIT_TEXT = "Suitable for school credit in a variety of majors."

DIVERSITY_STATEMENT = (
    "We strongly encourage applicants of diverse backgrounds to apply (PoC, LGBT, Differently Abled, or "
    "Undocumented.)"
)

INTERN_RIGHTS = (
    "We believe that many internships are exploitative and amount to unpaid slave labor imposed on young people "
    "interested in interesting and challenging careers. Our commitment is that you will not be performing the job "
    "of a paid staff person, this will be primarily a learning experience, and you will be treated at all times "
    "with respect."
)

HOW_TO_APPLY = "Apply through the online form on this page. No phone calls or emails please."

TESTIMONIALS = (
    (
        "Katie",
        "I can honestly tell you that interning with Charles a few years ago was an amazing experience. I didn't "
        "feel like an intern, I felt like part of his team. There's no limit to what the intern can do, it's just "
        "a matter of what you can handle. If you're at all interested in online organizing, you'll get more "
        "experience in this internship than anywhere else.",
    ),
    (
        "Sam",
        "Within the first week, it became abundantly clear that I was not there to sit back and learn passively. "
        "I learned so much so rapidly that around a month with Charles equated the same value for me as all my "
        "previous experiences. Your coffee making skills will not improve from this internship, but all of your "
        "other ones likely will.",
    ),
)

# "What you will learn" becomes the activity categories (learning); two operational ones complete them.
ACTIVITY_CATEGORIES = (
    ("Event planning and management", True),
    ("Organizing software and tools", True),
    ("Movement landscape (labor, community organizing, progressive infrastructure)", True),
    ("Online marketing for social good", True),
    ("Nonprofit management", True),
    ("Training received", True),
    ("Direct support of a campaign", False),
)

# "What we require" and "It would be great if you could" become the rubric.
RUBRIC = (
    ("Knowledge of current events and comfort with social media", True),
    ("A passion for progressive political change", True),
    ("Highly organized, able to prioritize time-sensitive assignments", True),
    ("Fearless: a bold, outside-the-box thinker", True),
    ("Honesty and integrity in fulfilling commitments", True),
    ("Graphics, video editing or web development skills", False),
    ("Previous leadership experience", False),
)

# The demo form's own questions, in its order: "What we require" and "It would be great if you could" as
# questions, then links, how they heard of us and accommodations. The same definitions migration 0002 gives
# every program that existed before questions could be edited; seed-demo adds them with add_question.
QUESTIONS = [
    {
        "key": "why_this_internship",
        "kind": "long_text",
        "label": "Why do you want this internship?",
        "help_text": "",
        "required": True,
        "max_chars": 1500,
    },
    {
        "key": "current_events",
        "kind": "long_text",
        "label": "How do you follow current events and use social media?",
        "help_text": "",
        "required": True,
        "max_chars": 1500,
    },
    {
        "key": "organised_deadlines",
        "kind": "long_text",
        "label": "Tell us about a time you organised yourself around deadlines.",
        "help_text": "",
        "required": True,
        "max_chars": 1500,
    },
    {
        "key": "bold_idea",
        "kind": "long_text",
        "label": "Tell us about a time you were bold or thought outside the box.",
        "help_text": "",
        "required": True,
        "max_chars": 1500,
    },
    {
        "key": "skills",
        "kind": "many_choices",
        "label": "Skills you have",
        "help_text": "",
        "required": False,
        "options": ["Graphics", "Video editing", "Web development", "Writing", "Social media", "Data"],
    },
    {
        "key": "leadership",
        "kind": "long_text",
        "label": "Leadership experience",
        "help_text": "Clubs, student government, community groups…",
        "required": False,
        "max_chars": 1500,
    },
    {
        "key": "link_1",
        "kind": "link",
        "label": "Link 1",
        "help_text": "A portfolio, social media profile or piece of writing.",
        "required": False,
        "max_chars": 500,
    },
    {"key": "link_2", "kind": "link", "label": "Link 2", "help_text": "", "required": False, "max_chars": 500},
    {"key": "link_3", "kind": "link", "label": "Link 3", "help_text": "", "required": False, "max_chars": 500},
    {
        "key": "heard_about",
        "kind": "short_text",
        "label": "How did you hear about us?",
        "help_text": "",
        "required": False,
        "max_chars": 200,
    },
    {
        "key": "accommodations",
        "kind": "long_text",
        "label": "Accommodations you would like",
        "help_text": "For the interview or the internship.",
        "required": False,
        "max_chars": 1000,
    },
]
