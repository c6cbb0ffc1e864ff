-- The mixed client traffic of ops/load.sh, for wrk (4.x).
--
-- Every request is one of these kinds, picked at random by weight:
--   dashboard   GET  {api}/dashboard
--   documents   GET  {api}/documents
--   download    GET  {api}/documents/{id}/download        (one of the ids given)
--   approvals   GET  {api}/approvals
--   approval    GET  {api}/approvals/{id}                 (one of the ids given)
--   upload      POST {api}/projects/{project}/documents?name=load-N.txt, a text body of one of
--               the sizes given, sent as application/octet-stream with Sec-Fetch-Site
--
-- Arguments (after `--` on wrk's command line), each key=value:
--   api=/northwind/api/v1   cookie=NAME=VALUE   project=UUID
--   documents=UUID,UUID...  approvals=UUID,UUID...
--   mix=dashboard:40,documents:20,download:10,approvals:10,approval:10,upload:10
--   upload_kib=16,32,48,64  label=TEXT (printed with the results)
--
-- Answers are checked per kind: a status outside 2xx (or an upload not answered 201, or a
-- download without an attachment header) counts as an error of that kind. wrk gives a response
-- no hint of the request it answers, so the kind is known exactly only when each thread has one
-- connection (wrk -t N -c N): the thread then alternates request and response, and the time
-- between them (a monotonic clock, through LuaJIT's FFI) is the kind's latency, kept in a
-- histogram of 2 % wide buckets. With more connections per thread, a successful answer is
-- recognised by its shape, a refused one is counted as "unattributed" (with its status), and
-- there are no latencies per kind.
--
-- done() prints one `LOAD total ...` line and one `LOAD kind ...` line per kind (key=value
-- fields, latencies in microseconds) for ops/load.sh to read, after a readable summary.

local KINDS = { "dashboard", "documents", "download", "approvals", "approval", "upload" }

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } load_mix_timespec;
int clock_gettime(int clock_id, load_mix_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("load_mix_timespec")
local function now_us()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
   return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

-- Latency buckets: bucket b holds latencies in [BASE^b, BASE^(b+1)) microseconds.
local BASE = 1.02
local LOG_BASE = math.log(BASE)

local threads = {}
local thread_count = 0

-- Main state: remembers each thread so done() can collect its counters.
function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_number", thread_count)
   table.insert(threads, thread)
end

local function split(text, separator)
   local parts = {}
   if text == nil or text == "" then
      return parts
   end
   for part in string.gmatch(text, "([^" .. separator .. "]+)") do
      table.insert(parts, part)
   end
   return parts
end

local function fail(message)
   io.stderr:write("mix.lua: " .. message .. "\n")
   os.exit(2)
end

-- Thread state, read by done() through thread:get, which copies numbers and strings safely but
-- not nested tables: counters are globals named c_<kind>_<sent|ok|bad>, refusals s_<kind>_<status>
-- (their names listed in the string `refusals`), latency buckets h_<kind>_<bucket> (listed in
-- `buckets`).
refusals = ""
buckets = ""
label = ""
exact = false

local function bump(name)
   _G[name] = (_G[name] or 0) + 1
end

local requests = {}  -- kind -> list of prepared request strings
local picks = {}     -- cumulative weights: { {limit, kind}, ... }
local total_weight = 0
local current = nil  -- the kind in flight (exact mode)
local started = 0    -- when it was sent, in microseconds
max_us = 0           -- the slowest answer (exact mode)
local connections_per_thread = 1

function init(args)
   local options = {}
   for _, arg in ipairs(args) do
      local key, value = string.match(arg, "^([%w_]+)=(.*)$")
      if key == nil then
         fail("argument not key=value: " .. arg)
      end
      options[key] = value
   end
   local api = options.api or fail("api= is missing")
   local cookie = options.cookie or fail("cookie= is missing")
   local project = options.project or fail("project= is missing")
   local documents = split(options.documents, ",")
   local approvals = split(options.approvals, ",")
   if #documents == 0 then fail("documents= names no document") end
   if #approvals == 0 then fail("approvals= names no approval") end
   label = options.label or ""
   connections_per_thread = tonumber(options.connections_per_thread or "1") or 1
   exact = connections_per_thread == 1
   math.randomseed(os.time() * 1000 + (thread_number or 0))

   local function get(path)
      return wrk.format("GET", api .. path, { ["Cookie"] = cookie })
   end

   requests.dashboard = { get("/dashboard") }
   requests.documents = { get("/documents") }
   requests.approvals = { get("/approvals") }
   requests.download = {}
   for _, id in ipairs(documents) do
      table.insert(requests.download, get("/documents/" .. id .. "/download"))
   end
   requests.approval = {}
   for _, id in ipairs(approvals) do
      table.insert(requests.approval, get("/approvals/" .. id))
   end
   -- Text files (text passes the upload's content check), one request per size; the names
   -- differ per thread and size, and every upload is a new document.
   requests.upload = {}
   local line = "Load test upload: the quick brown fox jumps over the lazy dog. 0123456789\n"
   for _, kib in ipairs(split(options.upload_kib or "16,32,48,64", ",")) do
      local size = (tonumber(kib) or fail("upload_kib: not a number: " .. kib)) * 1024
      local body = string.sub(string.rep(line, math.ceil(size / #line)), 1, size)
      local name = string.format("load-t%d-%dk.txt", thread_number or 0, tonumber(kib))
      table.insert(requests.upload, wrk.format("POST",
         api .. "/projects/" .. project .. "/documents?name=" .. name,
         {
            ["Cookie"] = cookie,
            ["Content-Type"] = "application/octet-stream",
            ["Sec-Fetch-Site"] = "same-origin",
         },
         body))
   end

   local mix = options.mix or "dashboard:40,documents:20,download:10,approvals:10,approval:10,upload:10"
   for _, entry in ipairs(split(mix, ",")) do
      local kind, weight = string.match(entry, "^(%a+):(%d+)$")
      if kind == nil or requests[kind] == nil then
         fail("mix: unknown entry " .. entry)
      end
      total_weight = total_weight + tonumber(weight)
      table.insert(picks, { total_weight, kind })
   end
   if total_weight == 0 then fail("mix: all weights are zero") end

end

function request()
   local r = math.random(total_weight)
   local kind = picks[#picks][2]
   for _, pick in ipairs(picks) do
      if r <= pick[1] then
         kind = pick[2]
         break
      end
   end
   bump("c_" .. kind .. "_sent")
   current = kind
   started = now_us()
   local list = requests[kind]
   return list[math.random(#list)]
end

-- The kind of a successful answer, by its shape (several connections per thread).
local function recognise(status, headers, body)
   if status == 201 then return "upload" end
   local disposition = headers["content-disposition"] or headers["Content-Disposition"]
   if disposition ~= nil then return "download" end
   if string.find(body, '"next_cursor"', 1, true) and string.sub(body, 1, 9) == '{"items":' then
      if string.find(body, '"visibility"', 1, true) then return "documents" end
      return "approvals"
   end
   if string.find(body, '"pending_approvals"', 1, true) then return "dashboard" end
   return "approval"
end

-- Whether an answer of this kind is what the kind should get.
local function answered(kind, status, headers)
   if status < 200 or status > 299 then return false end
   if kind == "upload" then return status == 201 end
   if kind == "download" then
      local disposition = headers["content-disposition"] or headers["Content-Disposition"] or ""
      return string.sub(disposition, 1, 10) == "attachment"
   end
   return true
end

-- Adds one latency to the histogram of `kind`.
local function record_latency(kind, elapsed)
   local bucket = "h_" .. kind .. "_" .. math.floor(math.log(elapsed) / LOG_BASE)
   if _G[bucket] == nil then
      buckets = buckets .. " " .. bucket
   end
   bump(bucket)
end

function response(status, headers, body)
   local kind = current
   if exact then
      local elapsed = math.max(now_us() - started, 1)
      record_latency(kind, elapsed)
      record_latency("all", elapsed)
      if elapsed > max_us then max_us = elapsed end
   elseif status >= 200 and status <= 299 then
      kind = recognise(status, headers, body)
   else
      kind = "unattributed"
   end
   if answered(kind, status, headers) then
      bump("c_" .. kind .. "_ok")
   else
      local bad = "c_" .. kind .. "_bad"
      bump(bad)
      local key = "s_" .. kind .. "_" .. status
      if _G[key] == nil then
         refusals = refusals .. " " .. key
      end
      bump(key)
      if _G[bad] <= 3 then
         io.stderr:write(string.format("mix.lua: %s answered %d: %s\n", kind, status,
            string.sub(body or "", 1, 300)))
      end
   end
end

-- The q-th percentile (0-100) of a histogram { [bucket] = count }, in microseconds (the
-- bucket's middle), or nil when it is empty.
local function percentile(histogram, q)
   local total = 0
   local keys = {}
   for bucket, n in pairs(histogram) do
      total = total + n
      table.insert(keys, bucket)
   end
   if total == 0 then return nil end
   table.sort(keys)
   local wanted = math.max(math.ceil(total * q / 100), 1)
   local seen = 0
   for _, bucket in ipairs(keys) do
      seen = seen + histogram[bucket]
      if seen >= wanted then
         return BASE ^ (bucket + 0.5)
      end
   end
   return BASE ^ (keys[#keys] + 0.5)
end

function done(summary, latency, requests_stats)
   local all = {}
   local refused = {}
   local histograms = {}
   local mode = true
   local name = ""
   local max = 0
   for _, kind in ipairs(KINDS) do
      all[kind] = { sent = 0, ok = 0, bad = 0 }
   end
   all.unattributed = { sent = 0, ok = 0, bad = 0 }
   for _, thread in ipairs(threads) do
      for kind, n in pairs(all) do
         n.sent = n.sent + (thread:get("c_" .. kind .. "_sent") or 0)
         n.ok = n.ok + (thread:get("c_" .. kind .. "_ok") or 0)
         n.bad = n.bad + (thread:get("c_" .. kind .. "_bad") or 0)
      end
      for key in string.gmatch(thread:get("buckets"), "%S+") do
         local kind, bucket = string.match(key, "^h_(%a+)_(%-?%d+)$")
         local histogram = histograms[kind] or {}
         histograms[kind] = histogram
         bucket = tonumber(bucket)
         histogram[bucket] = (histogram[bucket] or 0) + (thread:get(key) or 0)
      end
      for key in string.gmatch(thread:get("refusals"), "%S+") do
         local kind, status = string.match(key, "^s_(%a+)_(%d+)$")
         local label_status = kind .. " " .. status
         refused[label_status] = (refused[label_status] or 0) + (thread:get(key) or 0)
      end
      mode = mode and thread:get("exact")
      name = thread:get("label")
      max = math.max(max, thread:get("max_us") or 0)
   end

   local seconds = summary.duration / 1e6
   local e = summary.errors
   local bad = 0
   for _, n in pairs(all) do bad = bad + n.bad end

   -- Latency percentiles in microseconds: the script's own (exact mode), else wrk's.
   local function us(kind, q)
      if kind == "all" and not mode then return latency:percentile(q) end
      local value = histograms[kind] and percentile(histograms[kind], q)
      return value and math.floor(value + 0.5) or -1
   end
   local function ms(kind, q)
      local value = us(kind, q)
      return value < 0 and "-" or string.format("%.2f", value / 1000)
   end
   if not mode then max = latency.max end
   local timed_by = mode and "timed per request on the monotonic clock"
      or "wrk's own statistics"

   io.write(string.format("\n%s: %d answers in %.1f s = %.1f req/s; latency p50 %s ms, "
      .. "p90 %s ms, p99 %s ms, max %.2f ms (%s)\n", name, summary.requests, seconds,
      summary.requests / seconds, ms("all", 50), ms("all", 90), ms("all", 99), max / 1000,
      timed_by))
   io.write(string.format("  wrk's own latency statistics: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
   io.write(string.format("  socket errors: connect %d, read %d, write %d, timeout %d; "
      .. "refused or wrong answers: %d (%s)\n", e.connect, e.read, e.write, e.timeout, bad,
      mode and "each counted under its request's kind" or "refusals unattributed"))
   io.write(string.format("  %-13s %9s %9s %9s %10s %10s %10s\n", "kind", "sent", "ok", "errors",
      "p50 ms", "p90 ms", "p99 ms"))
   local kinds = {}
   for _, kind in ipairs(KINDS) do table.insert(kinds, kind) end
   if all.unattributed.bad > 0 then table.insert(kinds, "unattributed") end
   for _, kind in ipairs(kinds) do
      local n = all[kind]
      io.write(string.format("  %-13s %9d %9d %9d %10s %10s %10s\n", kind, n.sent, n.ok, n.bad,
         ms(kind, 50), ms(kind, 90), ms(kind, 99)))
   end
   for key, n in pairs(refused) do
      io.write(string.format("  refused: %s x %d\n", key, n))
   end

   io.write(string.format("LOAD total label=%s requests=%d seconds=%.3f rps=%.1f p50_us=%d "
      .. "p90_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d timeout=%d bad=%d "
      .. "exact=%s\n", name, summary.requests, seconds, summary.requests / seconds,
      us("all", 50), us("all", 90), us("all", 99), max, e.connect, e.read, e.write, e.timeout,
      bad, tostring(mode)))
   for _, kind in ipairs(kinds) do
      local n = all[kind]
      io.write(string.format("LOAD kind label=%s name=%s sent=%d ok=%d bad=%d p50_us=%d "
         .. "p90_us=%d p99_us=%d\n", name, kind, n.sent, n.ok, n.bad, us(kind, 50),
         us(kind, 90), us(kind, 99)))
   end
end
