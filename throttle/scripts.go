package throttle

import "github.com/redis/go-redis/v9"

// Scripts run with EVALSHA and fall back to EVAL when Redis has forgotten
// them (a restart), so they survive exactly what the windows may not.
//
// Scores are milliseconds since the epoch: thirteen digits, exact in Lua's
// doubles. Computed ones are written with %d, because Lua's default number
// format keeps only fourteen significant digits.

// reserveScript decides and reserves in one step.
//
// KEYS[1] the customer's marker: a hash with since (the windows hold every
// send from then on), horizon (the longest window they were built for) and a
// field "s:<key>" for every window set that exists. KEYS[2..] the window sets
// this message counts in.
// ARGV: at, the longest window of this call, member, TTL slack, the number of
// limits, then per limit: its set's index in KEYS, count, window.
// Returns {0} reserved, {1, limit, retryAt} refused, {-1} rebuild first.
var reserveScript = redis.NewScript(`
local at = tonumber(ARGV[1])
local maxw = tonumber(ARGV[2])
local member = ARGV[3]
local slack = tonumber(ARGV[4])
local n = tonumber(ARGV[5])

local m = redis.call('HMGET', KEYS[1], 'since', 'horizon')
if not m[1] or not m[2] then return {-1} end
local horizon = tonumber(m[2])
if tonumber(m[1]) > at - maxw or horizon < maxw then return {-1} end
for i = 2, #KEYS do
  if redis.call('HEXISTS', KEYS[1], 's:' .. KEYS[i]) == 1 and redis.call('EXISTS', KEYS[i]) == 0 then
    return {-1}
  end
end

local held = true
for i = 2, #KEYS do
  if not redis.call('ZSCORE', KEYS[i], member) then held = false break end
end
if held then return {0} end

local worst, worstRetry = -1, 0
for j = 0, n - 1 do
  local key = KEYS[tonumber(ARGV[6 + 3 * j])]
  local count = tonumber(ARGV[7 + 3 * j])
  local w = tonumber(ARGV[8 + 3 * j])
  local raw = redis.call('ZRANGEBYSCORE', key,
    '(' .. string.format('%d', at - w), '(' .. string.format('%d', at + w), 'WITHSCORES')
  local s = {}
  for i = 1, #raw, 2 do
    if raw[i] ~= member then s[#s + 1] = tonumber(raw[i + 1]) end
  end
  -- Windows are [x, x+w). The fullest one holding the new message starts
  -- at the message or at an earlier entry; entries may lie ahead of at when
  -- workers reserve for later.
  local starts = {at}
  for i = 1, #s do
    if s[i] <= at then starts[#starts + 1] = s[i] end
  end
  local full = false
  for _, x in ipairs(starts) do
    local c = 1
    for i = 1, #s do
      if s[i] >= x and s[i] < x + w then c = c + 1 end
    end
    if c > count then full = true break end
  end
  if full then
    local past, last = {}, nil
    for i = 1, #s do
      if s[i] <= at then past[#past + 1] = s[i] else last = s[i] end
    end
    local retry
    if #past >= count then
      retry = past[#past - count + 1] + w
    else
      retry = last + w
    end
    if retry > worstRetry then worst, worstRetry = j, retry end
  end
end
if worst >= 0 then return {1, worst, worstRetry} end

local ttl = math.max(redis.call('PTTL', KEYS[1]), horizon + slack)
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[1], member)
  -- Entries no window can reach any more go, with a month to spare for
  -- reservations made out of order.
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. string.format('%d', at - 2 * horizon - 30 * 86400000))
  redis.call('PEXPIRE', KEYS[i], ttl)
  redis.call('HSET', KEYS[1], 's:' .. KEYS[i], 1)
end
redis.call('PEXPIRE', KEYS[1], ttl)
return {0}
`)

// rebuildScript writes sends from the send log into the windows and marks
// them complete.
//
// KEYS[1] the marker, KEYS[2..] window sets. ARGV: since, horizon, TTL slack,
// the global set's index in KEYS, then per send: member, score, the index of
// its campaign's set.
var rebuildScript = redis.NewScript(`
local g = tonumber(ARGV[4])
for i = 5, #ARGV, 3 do
  redis.call('ZADD', KEYS[g], ARGV[i + 1], ARGV[i])
  redis.call('ZADD', KEYS[tonumber(ARGV[i + 2])], ARGV[i + 1], ARGV[i])
end
local since, horizon = tonumber(ARGV[1]), tonumber(ARGV[2])
local m = redis.call('HMGET', KEYS[1], 'since', 'horizon')
if m[1] and m[2] then
  -- Another worker's rebuild stands: together they cover both spans.
  since = math.min(since, tonumber(m[1]))
  horizon = math.max(horizon, tonumber(m[2]))
end
local ttl = math.max(redis.call('PTTL', KEYS[1]), horizon + tonumber(ARGV[3]))
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('HSET', KEYS[1], 's:' .. KEYS[i], 1)
    redis.call('PEXPIRE', KEYS[i], ttl)
  else
    redis.call('HDEL', KEYS[1], 's:' .. KEYS[i])
  end
end
redis.call('HSET', KEYS[1], 'since', string.format('%d', since), 'horizon', string.format('%d', horizon))
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`)

// releaseScript removes a member from the window sets KEYS[2..] and forgets
// the sets it leaves empty (Redis deletes them), so the marker does not
// claim a set that is gone.
var releaseScript = redis.NewScript(`
for i = 2, #KEYS do
  if redis.call('ZREM', KEYS[i], ARGV[1]) == 1 and redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('HDEL', KEYS[1], 's:' .. KEYS[i])
  end
end
return 1
`)
