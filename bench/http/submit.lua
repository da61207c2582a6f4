-- wrk script of the HTTP bench: POSTs one body (BODY_FILE) to the path given
-- on the wrk command line, optionally with a bearer token (BENCH_TOKEN, read
-- from the environment so it is not on any command line), and prints one
-- RESULT line with requests/s and latency percentiles (microseconds).
local path = os.getenv("BODY_FILE")
local f = assert(io.open(path, "rb"), "cannot open BODY_FILE " .. tostring(path))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.timeout
  io.write(string.format(
    "RESULT requests_per_sec=%.0f p50_us=%d p90_us=%d p99_us=%d max_us=%d requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.requests, summary.errors.status, errors))
end
