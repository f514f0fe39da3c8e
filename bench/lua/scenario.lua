-- One wrk script for every scenario; bench/run.py chooses with environment variables:
--   BENCH_MODE      hello | get | vote | comment | allocate | mixed | preview | pairwise
--   BENCH_SCENARIO  which entry of data.paths (and data.readers) a `get` reads
--   BENCH_DATA      a Lua file returning the signed-in users, target ideas and paths
--   BENCH_RUN       this wrk process's number (pairwise: where each user's pairs start)
-- Each request goes out as a random signed-in user with that user's session cookie and
-- CSRF token. done() prints one line: BENCH_RESULT {json}.

local mode = os.getenv("BENCH_MODE") or "hello"
local scenario = os.getenv("BENCH_SCENARIO") or mode
local data = dofile(os.getenv("BENCH_DATA"))
local user_agent = data.user_agent
local paths = data.paths[scenario] or data.paths.mixed
local readers = data.readers[scenario] or data.users

local threads = {}
local next_thread_id = 1

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_id * 7919)
  failures = 0
  -- pairwise: each thread has its own half of the users, so no two threads share a user's
  -- sequence of pairs
  my_users = {}
  for index, user in ipairs(data.users) do
    if index % 2 == thread_id % 2 then table.insert(my_users, user) end
  end
  pair_counter = {}
end

local function pick(list)
  return list[math.random(#list)]
end

local function get(path, user)
  return wrk.format("GET", path, {["User-Agent"] = user_agent, ["Cookie"] = user.cookie})
end

local function post(path, user, body, accept)
  return wrk.format("POST", path, {
    ["User-Agent"] = user_agent,
    ["Cookie"] = user.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = accept,
  }, "csrf_token=" .. user.csrf .. "&" .. body)
end

-- An idea the user did not write (the app refuses votes on one's own idea).
local function target_for(user)
  local idea = pick(data.ideas)
  for _ = 1, 10 do
    if idea.author ~= user.id then break end
    idea = pick(data.ideas)
  end
  return idea
end

local function vote()
  local user = pick(data.users)
  local idea = target_for(user)
  return post("/ideas/" .. idea.id .. "/vote", user, "value=" .. pick(data.vote_values),
              "application/json")
end

local function comment()
  local user = pick(data.users)
  local idea = target_for(user)
  return post("/ideas/" .. idea.id .. "/comments", user,
              "stance=" .. pick(data.stances) .. "&body=" .. pick(data.comment_bodies),
              "text/html")
end

-- A maximum-size pathological Markdown preview (the hostile scenario's attackers).
local function preview()
  return post("/ideas/preview", pick(data.users), "body=" .. pick(data.preview_bodies),
              "application/json")
end

-- One person's answer to a pair they have never answered: user u's k-th pair in this run is
-- number c = BENCH_RUN * 1000 + k of a walk through distinct pairs of the campaign's n ideas
-- (n odd): a = c mod n, then a partner at distance d in 1 .. (n - 1) / 2.
local run_offset = tonumber(os.getenv("BENCH_RUN") or "1") * 1000
local choices = {"left", "right", "left", "right", "skip"}
local function pairwise()
  local user = pick(my_users)
  local c = pair_counter[user.id] or run_offset
  pair_counter[user.id] = c + 1
  local n = data.pairwise.n
  local a = c % n
  local d = 1 + (math.floor(c / n) % ((n - 1) / 2))
  local b = (a + d) % n
  return post("/compare/" .. data.pairwise.slug .. "/choose", user,
              "left=" .. data.pairwise.ideas[a + 1] .. "&right=" .. data.pairwise.ideas[b + 1]
              .. "&choice=" .. pick(choices), "application/json")
end

-- Points on an entered idea the user did not write; a request over the allowance is
-- refused with 409, which is the right answer, not an error.
local function allocate()
  local user = pick(data.users)
  local entry = pick(data.entries)
  for _ = 1, 10 do
    if entry.author ~= user.id then break end
    entry = pick(data.entries)
  end
  return post("/funding/" .. data.round .. "/entries/" .. entry.id .. "/points", user,
              "points=" .. pick(data.points_values), "application/json")
end

local function read()
  return get(pick(paths), pick(readers))
end

local builders = {
  hello = function() return wrk.format("GET", "/", {["User-Agent"] = user_agent}) end,
  get = read,
  vote = vote,
  comment = comment,
  preview = preview,
  pairwise = pairwise,
  allocate = allocate,
  mixed = function()
    local roll = math.random(100)
    if roll <= data.mix.comment then return comment() end
    if roll <= data.mix.comment + data.mix.vote then return vote() end
    return read()
  end,
}
request = builders[mode]

-- 2xx and 3xx are success, except redirects that mean the app refused the request:
-- to the sign-in page (session lost) or back to the discussion (comment not accepted).
function response(status, headers, body)
  if mode == "allocate" and status == 409 then
    return  -- over the allowance: refused as it must be
  elseif status >= 400 then
    failures = failures + 1
  elseif status >= 300 then
    local location = headers["Location"] or headers["location"] or ""
    if location:find("/login", 1, true) or location:find("#discussion", 1, true) then
      failures = failures + 1
    end
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + (thread:get("failures") or 0)
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_s":%.3f,"http_errors":%d,"socket_errors":%d,' ..
    '"errors":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, failed, socket_errors, failed + socket_errors,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
