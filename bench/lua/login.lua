-- Log in as a random employee with email and password (the real password hasher).
local emails = common.lines(DATA .. "/emails.txt")
local password = common.first_line(DATA .. "/password.txt")

request = function()
  local body = string.format('{"email":"%s","password":"%s"}', common.pick(emails), password)
  return wrk.format("POST", "/api/v1/auth/token/", {["Content-Type"] = "application/json"}, body)
end
