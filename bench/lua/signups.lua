-- POST sign-ups as the sign-up system: ITEMS per call (1 = the single endpoint, else a
-- batch). Every rule gets work: typed codes (a few with a typo), share links (some past the
-- window), no referrer, existing customers, commissioned channels, phones and emails.
local key = common.first_line(DATA .. "/api_key.txt")
local codes = common.lines(DATA .. "/codes.txt")
local shares = common.lines(DATA .. "/share_tokens.txt")
local occurred_at = common.first_line(DATA .. "/occurred_at.txt")
local channels = {"online", "online", "online", "app", "store", "telesales", "dealer"}
local count = 0

local function item()
  count = count + 1
  local id = string.format("%s-%d-%d", RUN, THREAD, count)
  local roll = math.random(1, 100)
  local referrer = ""
  if roll <= 68 then
    referrer = string.format('"code":"%s",', common.pick(codes))
  elseif roll <= 70 then
    referrer = '"code":"7KD3M-QX2A8",'  -- a typo
  elseif roll <= 90 then
    referrer = string.format('"share_token":"%s",', common.pick(shares))
  end
  local customer = string.format('"email":"friend-%s@example.net"', id)
  if math.random(1, 3) == 1 then
    customer = customer .. string.format(',"phone":"+3161%07d"', math.random(0, 9999999))
  end
  return string.format(
    '{"external_id":"b-%s","occurred_at":"%s",%s"customer":{%s},"product":"Sim Only 10 GB",' ..
    '"sales_channel":"%s","is_new_customer":%s}',
    id, occurred_at, referrer, customer, common.pick(channels),
    math.random(1, 20) == 1 and "false" or "true")
end

request = function()
  local body
  if ITEMS == 1 then
    body = item()
  else
    local items = {}
    for i = 1, ITEMS do items[i] = item() end
    body = '{"items":[' .. table.concat(items, ",") .. ']}'
  end
  local headers = {["Authorization"] = "Api-Key " .. key, ["Content-Type"] = "application/json"}
  return wrk.format("POST", PATH, headers, body)
end
