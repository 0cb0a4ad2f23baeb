/**
 * The pool's decisions as Lua, so each runs atomically in Redis however many replicas ask at once. Keys: three per
 * pool key, `…:w` (the window: a sorted set of request times), `…:r` (the rest: a key that expires) and `…:f` (the
 * in-flight leases: a sorted set scored by when an abandoned lease expires). Time is Redis's own (`TIME`), so the
 * replicas' clocks do not matter.
 *
 * ARGV: mode (`take` | `wait`), requests per window (0: none), window ms, max concurrent (0: none), lease ttl ms,
 * member (a unique id for this slot), position (for `wait`), usable mask (`1` per usable key), first key to look at.
 * Returns {index, wait}: index ≥ 0 when a slot was taken; else wait ms for slot `position` (-1: unknown).
 */
export const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode, limit, win, cap, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local member, position, usable, start = ARGV[6], tonumber(ARGV[7]), ARGV[8], tonumber(ARGV[9])
local n = #KEYS / 3
local best, bestRoom, bestFlight = -1, 0, 0
local state = {}
for k = 0, n - 1 do
  local i = (start + k) % n
  if string.sub(usable, i + 1, i + 1) == '1' then
    local w, r, f = KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3]
    local count = 0
    if limit > 0 then
      redis.call('ZREMRANGEBYSCORE', w, '-inf', '(' .. (now - win))
      count = redis.call('ZCARD', w)
    end
    local rest = redis.call('PTTL', r)
    if rest < 0 then rest = 0 end
    local flight = 0
    if cap > 0 then
      redis.call('ZREMRANGEBYSCORE', f, '-inf', now)
      flight = redis.call('ZCARD', f)
    end
    state[i] = { count = count, rest = rest, flight = flight }
    if rest == 0 and (cap == 0 or flight < cap) then
      local room = 1e15
      if limit > 0 then room = limit - count end
      if room > 0 and (best < 0 or room > bestRoom or (room == bestRoom and flight < bestFlight)) then
        best, bestRoom, bestFlight = i, room, flight
      end
    end
  end
end
if mode == 'take' then
  if best < 0 then return { -1, -1 } end
  if limit > 0 then
    local w = KEYS[best * 3 + 1]
    redis.call('ZADD', w, now, member)
    redis.call('PEXPIRE', w, win + 1000)
  end
  if cap > 0 then
    local f = KEYS[best * 3 + 3]
    redis.call('ZADD', f, now + ttl, member)
    redis.call('PEXPIRE', f, ttl)
  end
  return { best, 0 }
end
local frees = {}
for i, s in pairs(state) do
  if cap == 0 or s.flight < cap then
    local from = now + s.rest
    if limit == 0 then
      table.insert(frees, from)
    else
      for j = 1, math.min(limit - s.count, position + 1) do table.insert(frees, from) end
      if s.count > 0 then
        local oldest = redis.call('ZRANGE', KEYS[i * 3 + 1], 0, position, 'WITHSCORES')
        for j = 2, #oldest, 2 do table.insert(frees, math.max(from, tonumber(oldest[j]) + win + 1)) end
      end
    end
  end
end
if #frees == 0 then return { -1, -1 } end
table.sort(frees)
local span = win
if limit == 0 then span = 0 end
local at = frees[(position % #frees) + 1] + span * math.floor(position / #frees)
return { -1, math.max(0, at - now) }
`;

/** Rests a key for ARGV[1] ms unless it already rests longer. KEYS[1]: the key's rest key. */
export const REST_SCRIPT = `
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 1
`;

/**
 * Renews leases a replica still holds. KEYS: each lease's in-flight key; ARGV[1]: the lease ttl ms, then each
 * lease's member, in the same order. A member already gone (released, or expired) is not brought back.
 */
export const RENEW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return #KEYS
`;
