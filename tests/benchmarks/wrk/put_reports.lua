-- wrk script: PUT reports with ids made from the thread number and a counter, so that a second run with
-- the same RUN and RESEND=N sends the same ids (and content) again. Counts the statuses seen per thread.
-- Environment: TOKEN (device token), BODY_FILE (the JSON body), RESEND (0, or how many ids each thread
-- created in the first run), RUN (a number that makes this run's ids its own).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
  body = f:read("*a")
  f:close()
  token = os.getenv("TOKEN")
  resend = tonumber(os.getenv("RESEND") or "0")
  run = tonumber(os.getenv("RUN") or "0")
  created, ok, other = 0, 0, 0
end

function request()
  local n = counter
  counter = counter + 1
  -- wrk consumes the first request() of a thread before the run starts, so id 0 may never be sent: resends
  -- start at 1.
  if resend > 0 then n = 1 + n % resend end
  local id = string.format("%08d-0000-4000-8%03d-%012d", run, tid, n)
  return wrk.format("PUT", "/api/v1/reports/" .. id,
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 200 then ok = ok + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o, x, minc = 0, 0, 0, nil
  for _, t in ipairs(threads) do
    local tc = t:get("created")
    c = c + tc
    o = o + t:get("ok")
    x = x + t:get("other")
    if minc == nil or tc < minc then minc = tc end
  end
  io.write(string.format("STATUS created=%d ok=%d other=%d min_created_per_thread=%d\n", c, o, x, minc))
  io.write(string.format("LATENCY p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
