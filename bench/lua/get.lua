-- GET a random path from PATHS; with TOKENS, as a random employee (Bearer JWT).
-- VARY_AGENT gives every request another User-Agent, so landing-page visits are new
-- visitors (the visitor hash covers address and user agent) and each one is recorded.
local paths = common.lines(PATHS)
local tokens = TOKENS and common.lines(TOKENS) or nil
local count = 0

request = function()
  local headers = {}
  if tokens then headers["Authorization"] = "Bearer " .. common.pick(tokens) end
  if VARY_AGENT then
    count = count + 1
    headers["User-Agent"] = string.format("Mozilla/5.0 (bench %s-%d-%d)", RUN, THREAD, count)
  end
  return wrk.format("GET", common.pick(paths), headers)
end
