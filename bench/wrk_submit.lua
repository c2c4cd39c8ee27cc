-- wrk script for bench.submit_throughput: POSTs the benchmark's SubmitTransaction,
-- each request with its own messageId and document number, and reports
-- refusals on stderr and the latency percentiles on stdout.
--   BENCH_TEMPLATE  file holding the envelope with two %s (messageId, number)
--   BENCH_TAG       prefix that keeps ids unique across slices and threads
--   BENCH_EXPECT    text a good response body contains ("" for any 200)

local tpl, tag, expect
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("BENCH_TEMPLATE"), "r"))
  tpl = f:read("*a")
  f:close()
  tag = os.getenv("BENCH_TAG") .. "-" .. tostring(id)
  expect = os.getenv("BENCH_EXPECT") or ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
  wrk.headers["SOAPAction"] = '"SubmitTransaction"'
end

function request()
  counter = counter + 1
  local key = tag .. "-" .. tostring(counter)
  return wrk.format(nil, "/soap", nil, string.format(tpl, "M" .. key, "N" .. key))
end

function response(status, headers, body)
  if status ~= 200 or (expect ~= "" and not string.find(body, expect, 1, true)) then
    io.stderr:write("BAD " .. status .. " " .. string.sub(body or "", 1, 200):gsub("\n", " ") .. "\n")
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d errors=%d p50=%d p90=%d p99=%d mean=%f\n",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
