-- konnect_create.lua - wrk script: POST a new Konnect API product per request (a unique
-- name per thread and request), for bench/konnect-list.sh.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "wrk_report.lua")

local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
end

local counter = 0

function init(args)
  report.auth_headers()
  wrk.method = "POST"
end

function request()
  counter = counter + 1
  local body = string.format('{"name":"bench %d-%d","labels":{"bench":"create"}}',
                             tid or 0, counter)
  return wrk.format("POST", nil, nil, body)
end

done = report.done
