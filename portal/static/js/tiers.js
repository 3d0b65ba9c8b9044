// The Rules tab's "What each weekly average pays" table, refreshed as tiers are typed.
// Progressive enhancement: the server renders the same table (portal.rules.program_settings.pay_table),
// and this mirrors portal.rules.stipends.tier_for_average: the highest tier whose "from" the average reaches.
(function () {
  "use strict";
  var form = document.getElementById("rules-form");
  if (!form) { return; }
  var HOURS = /^\d{1,3}(\.(0|00|5|50))?$/;
  var AMOUNT = /^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$/;

  function minutes(text) {
    text = (text || "").trim();
    if (!HOURS.test(text)) { return null; }
    var parts = text.split(".");
    return parseInt(parts[0], 10) * 60 + (parts[1] && parts[1].charAt(0) === "5" ? 30 : 0);
  }

  function cents(text) {
    text = (text || "").trim();
    if (!AMOUNT.test(text)) { return null; }
    var parts = text.replace("$", "").trim().replace(/,/g, "").split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  function money(value) {
    var dollars = Math.floor(value / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = ("0" + (value % 100)).slice(-2);
    return "$" + dollars + "." + rest;
  }

  function tiers() {
    var result = [];
    var rows = form.querySelectorAll("[data-tier-row]");
    for (var i = 0; i < rows.length; i++) {
      var remove = rows[i].querySelector("[data-tier=remove]");
      var from = minutes(rows[i].querySelector("[data-tier=from]").value);
      var amount = cents(rows[i].querySelector("[data-tier=amount]").value);
      if ((remove && remove.checked) || from === null || amount === null) { continue; }
      result.push({ from: from, cents: amount });
    }
    return result;
  }

  function refresh() {
    var list = tiers();
    var cells = document.querySelectorAll("[data-pay-hours]");
    for (var i = 0; i < cells.length; i++) {
      var average = parseInt(cells[i].getAttribute("data-pay-hours"), 10) * 60;
      var best = null;
      for (var j = 0; j < list.length; j++) {
        if (average >= list[j].from && (best === null || list[j].from >= best.from)) { best = list[j]; }
      }
      var text = money(best === null ? 0 : best.cents);
      if (cells[i].textContent !== text) { cells[i].textContent = text; }
    }
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
})();
