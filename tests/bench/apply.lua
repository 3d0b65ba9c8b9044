-- wrk script of `make bench` (tests/benchmark.py): POST the application form with a resume, each request
-- with its own submission key and email (the body template's @@KEY@@), the session cookie and CSRF token
-- fetched once. Only a redirect to the confirmation page counts as done; anything else is an error.
-- Arguments: the body template's file, the form's path, the multipart boundary, a tag unique to the run.
local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  template = file:read("*a")
  file:close()
  path, tag = args[2], args[4]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. args[3]
  counter, errors, confirmed = 0, 0, 0
end

function request()
  counter = counter + 1
  local key = string.format("%s-%d-%d", tag, thread_number, counter)
  local body = template:gsub("@@KEY@@", key)
  return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
  local location = headers["Location"] or ""
  if (status == 302 or status == 303) and location:find("/apply/submitted", 1, true) then
    confirmed = confirmed + 1
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local failed, done_ = 0, 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("errors")
    done_ = done_ + thread:get("confirmed")
  end
  io.write(string.format("bench-errors %d\nbench-confirmed %d\n", failed, done_))
end
