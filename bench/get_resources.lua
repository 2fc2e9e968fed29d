-- get_resources.lua - wrk script: GET the project's resource list (the URL given to wrk).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "wrk_report.lua")

function init(args)
  report.auth_headers()
  wrk.method = "GET"
end

done = report.done
