-- create_resources.lua - wrk script: POST a new KtrlPlane resource per request, each with
-- a unique DNS-label id ("r<run>-<thread>-<n>"), so every request is a real create.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "wrk_report.lua")

local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
end

local counter = 0
local run = os.getenv("BENCH_RUN") or tostring(os.time())
-- The settings_json value as JSON text. bench/peers.sh sets it for grpc-gateway, whose
-- jsonpb sees hangar.json.v1.RawObject as the message it is: {"json": "<text>"}.
local settings = os.getenv("BENCH_SETTINGS_JSON") or
  '{"database_name":"bench","enable_analytics":true}'

function init(args)
  report.auth_headers()
  wrk.method = "POST"
end

function request()
  counter = counter + 1
  local id = string.format("r%s-%d-%d", run, tid or 0, counter)
  local body = string.format(
    '{"id":"%s","name":"bench %s","type":"Konnektr.Graph","sku":"free",' ..
    '"settings_json":%s}', id, id, settings)
  return wrk.format("POST", nil, nil, body)
end

done = report.done
