package throttleredis

import "github.com/redis/go-redis/v9"

// Scripts run with EVALSHA and fall back to EVAL when Redis has forgotten
// them (a restart), so they survive exactly what the windows may not.
//
// Times are milliseconds since the epoch: thirteen digits, exact in Lua's
// doubles. Computed ones are written with %d, because Lua's default number
// format keeps only fourteen significant digits.

// reserveScript decides and reserves in one step, rebuilding the windows
// first from the send log the caller sends along when Redis has lost them.
//
// KEYS[1] is the customer's hash: "since" (it holds every send from then
// on), "horizon" (the longest window it was built for) and a field
// "m:<message key>" = "<at> <campaign>" for every message counted.
//
// ARGV: at, the longest window of this call, the message key, its campaign,
// the TTL slack, the number of limits n, then per limit its campaign ("" for
// the global scope), count and window; then the send log: the time it was
// read from (-1 when the caller sends none), then per send its message key,
// time and campaign.
//
// Returns {0} reserved, {1, limit, retryAt} refused, {-1} send the log.
var reserveScript = redis.NewScript(`
local key = KEYS[1]
local at = tonumber(ARGV[1])
local maxw = tonumber(ARGV[2])
local field = 'm:' .. ARGV[3]
local campaign = ARGV[4]
local slack = tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local logArg = 7 + 3 * n

local raw = redis.call('HGETALL', key)
local since, horizon, held = nil, nil, false
local entries = {}
for i = 1, #raw, 2 do
  local f, v = raw[i], raw[i + 1]
  if f == 'since' then since = tonumber(v)
  elseif f == 'horizon' then horizon = tonumber(v)
  elseif f == field then held = true
  else
    local sp = string.find(v, ' ', 1, true)
    entries[#entries + 1] = {f, tonumber(string.sub(v, 1, sp - 1)), string.sub(v, sp + 1)}
  end
end

if not (since and horizon and since <= at - maxw and horizon >= maxw) then
  local logSince = tonumber(ARGV[logArg])
  if logSince < 0 or logSince > at - maxw then return {-1} end
  -- Rebuild: every send the log lists since logSince joins the windows
  -- (a message key counts once, however many workers rebuild at once).
  local known = {}
  for _, e in ipairs(entries) do known[e[1]] = true end
  for i = logArg + 1, #ARGV, 3 do
    local f = 'm:' .. ARGV[i]
    if f == field then
      held = true
    elseif not known[f] then
      known[f] = true
      redis.call('HSET', key, f, ARGV[i + 1] .. ' ' .. ARGV[i + 2])
      entries[#entries + 1] = {f, tonumber(ARGV[i + 1]), ARGV[i + 2]}
    end
  end
  if since and horizon then
    -- A rebuild that stands already: together they cover both spans.
    since, horizon = math.min(since, logSince), math.max(horizon, maxw)
  else
    since, horizon = logSince, maxw
  end
  redis.call('HSET', key, 'since', string.format('%d', since), 'horizon', string.format('%d', horizon))
end
-- horizon is the longest window the hash was ever built for, so this never
-- shortens an expiry an earlier call set.
local ttl = horizon + slack
if held then
  redis.call('PEXPIRE', key, ttl)
  return {0}
end
if #entries > 1 then table.sort(entries, function(a, b) return a[2] < b[2] end) end

local worst, worstRetry = -1, 0
for j = 0, n - 1 do
  local scope = ARGV[7 + 3 * j]
  local count = tonumber(ARGV[8 + 3 * j])
  local w = tonumber(ARGV[9 + 3 * j])
  local s = {}
  for _, e in ipairs(entries) do
    if e[2] > at - w and e[2] < at + w and (scope == '' or e[3] == scope) then s[#s + 1] = e[2] end
  end
  -- Windows are [x, x+w). The fullest one holding the new message starts
  -- at the message or at an earlier entry; entries may lie ahead of at when
  -- workers reserve for later.
  local full = false
  if #s >= count then
    local starts = {at}
    for i = 1, #s do
      if s[i] <= at then starts[#starts + 1] = s[i] end
    end
    for _, x in ipairs(starts) do
      local c = 1
      for i = 1, #s do
        if s[i] >= x and s[i] < x + w then c = c + 1 end
      end
      if c > count then full = true break end
    end
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

redis.call('HSET', key, field, ARGV[1] .. ' ' .. campaign)
-- Entries no window can reach any more go, with a month to spare for
-- reservations made out of order.
local stale = at - 2 * horizon - 30 * 86400000
for _, e in ipairs(entries) do
  if e[2] < stale then redis.call('HDEL', key, e[1]) end
end
redis.call('PEXPIRE', key, ttl)
return {0}
`)
