-- wrk script: a mixed load over a list of addresses (one path per line, e.g. written by
-- `portal_bench addresses DB FILE`), each thread going round the list from its own place.
--   wrk -t2 -c64 -d10s -s scripts/wrk-mix.lua http://127.0.0.1:3999 -- FILE
-- Prints one summary line at the end: requests/s, p50, p99 and max latency, non-2xx answers.

local paths = {}
local next_index = 1
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = args[1] or error("wrk-mix.lua needs the address file: wrk ... -- FILE")
  for line in io.lines(file) do
    if line ~= "" then
      table.insert(paths, line)
    end
  end
  if #paths == 0 then
    error("no addresses in " .. file)
  end
  next_index = (id * 7919) % #paths + 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "wrk mixed: %d requests in %.1f s, %.0f req/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d errors or non-2xx\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, bad))
end
