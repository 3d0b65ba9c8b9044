-- wrk script of `make bench` (tests/benchmark.py): GET the page; any answer but 200 counts as an error
-- (a signed-out redirect to the sign-in page is fast, and must not pass for a served page).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("errors")
  end
  io.write(string.format("bench-errors %d\n", total))
end
