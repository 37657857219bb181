-- Shared by every scenario: read helper files, thread ids, report percentiles as JSON.
local M = {}

function M.lines(path)
  local items = {}
  local file = io.open(path, "r")
  if not file then return items end
  for line in file:lines() do
    if #line > 0 then items[#items + 1] = line end
  end
  file:close()
  return items
end

function M.pick(items)
  return items[math.random(1, #items)]
end

function M.first_line(path)
  return M.lines(path)[1]
end

-- Each wrk thread gets a number (for unique ids in write scenarios) and its own random seed.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  local number = thread_number or 0
  math.randomseed(os.time() * 100 + number)
  -- A run id keeps the ids of a warm-up and the measured run apart.
  RUN = string.format("%x%x", os.time(), math.random(0, 0xfffff))
  THREAD = number
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end

return M
