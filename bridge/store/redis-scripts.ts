/**
 * The Redis store's atomic steps as Lua scripts (each runs alone on the server, so a check and the write
 * it guards cannot be split by another instance). Times come from the server's TIME, so instances whose
 * clocks disagree still agree on when a lease runs out. Every script that changes a session first checks
 * the caller's lease token (`owner#epoch`): an instance that lost the session cannot write to it.
 *
 * Keys of one session share the `{sessionId}` hash tag; the cross-session keys (idempotency, bot
 * conversation, the live index) make the scripts single-node: Redis Cluster is not supported.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: idem, bot, rec, lease, epoch, live. ARGV: record JSON (without the request), state, sessionId,
 * owner, ttlMs, request JSON. Returns {1, epoch} when created, {0, existingSessionId} when the idempotency
 * key is taken.
 */
export const CREATE = `
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
${NOW}
redis.call('SET', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[3], 'data', ARGV[1], 'state', ARGV[2], 'request', ARGV[6])
local epoch = redis.call('INCR', KEYS[5])
redis.call('SET', KEYS[4], ARGV[4] .. '#' .. epoch, 'PX', ARGV[5])
redis.call('ZADD', KEYS[6], now + tonumber(ARGV[5]), ARGV[3])
return {1, epoch}
`;

/**
 * KEYS: lease, rec, events, seen, msgs. ARGV: token, record JSON or '', state, channel, event count,
 * then seq and JSON per event, then the provider id count and ids, then the ledger change count and
 * (clientMessageId, change JSON) pairs. Events must continue the stream's seq (checked before anything
 * is written: a Lua script is not rolled back).
 */
export const COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE_LOST') end
local i = 5
local n = tonumber(ARGV[i]); i = i + 1
if n > 0 then
  local top = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
  local last = 0
  if top[1] then last = tonumber(string.match(top[1][1], '^(%d+)')) end
  if tonumber(ARGV[i]) ~= last + 1 then return redis.error_reply('SEQ_GAP ' .. last .. ' ' .. ARGV[i]) end
end
local published = {}
for _ = 1, n do
  redis.call('XADD', KEYS[3], ARGV[i] .. '-0', 'e', ARGV[i + 1])
  table.insert(published, ARGV[i + 1])
  i = i + 2
end
local ids = tonumber(ARGV[i]); i = i + 1
for _ = 1, ids do
  redis.call('SADD', KEYS[4], ARGV[i]); i = i + 1
end
local changes = tonumber(ARGV[i]); i = i + 1
for _ = 1, changes do
  local id = ARGV[i]; local change = cjson.decode(ARGV[i + 1]); i = i + 2
  local entry = { clientMessageId = id, parts = 1 }
  local stored = redis.call('HGET', KEYS[5], id)
  if stored then entry = cjson.decode(stored) end
  entry.status = change.status
  entry.providerMessageId = change.providerMessageId
  entry.retryable = change.retryable
  redis.call('HSET', KEYS[5], id, cjson.encode(entry))
end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], 'data', ARGV[2], 'state', ARGV[3]) end
-- The events themselves, so that watchers need not read them back.
if n > 0 then redis.call('PUBLISH', ARGV[4], '[' .. table.concat(published, ',') .. ']') end
return 'OK'
`;

/**
 * KEYS: lease, live, and the session's other keys (rec, events, seen, msgs, cmd, epoch, outbox, idem),
 * then bot. ARGV: token, sessionId, retentionMs.
 */
export const FINISH = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE_LOST') end
local retention = tonumber(ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
local function expire(key)
  if retention <= 0 then redis.call('DEL', key) else redis.call('PEXPIRE', key, retention) end
end
for k = 3, #KEYS - 1 do expire(KEYS[k]) end
local bot = KEYS[#KEYS]
if redis.call('GET', bot) == ARGV[2] then expire(bot) end
return 'OK'
`;

/**
 * KEYS: rec, msgs, cmd. ARGV: command JSON, channel, clientMessageId or '', ledger entry JSON.
 * Returns {'accepted', id, previous id or ''} | {'duplicate', entry JSON} | {'noSession'} | {'ended', state}.
 */
export const SUBMIT = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'noSession'} end
if ARGV[3] ~= '' then
  local stored = redis.call('HGET', KEYS[2], ARGV[3])
  if stored then
    local entry = cjson.decode(stored)
    if not (entry.status == 'failed' and entry.retryable == true) then return {'duplicate', stored} end
  end
end
if state == 'ended' or state == 'failed' then return {'ended', state} end
local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
local previous = ''
if last[1] then previous = last[1][1] end
local id = redis.call('XADD', KEYS[3], '*', 'c', ARGV[1])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
redis.call('PUBLISH', ARGV[2], 'wake')
return {'accepted', id, previous}
`;

/** KEYS: lease, epoch, live. ARGV: owner, ttlMs, sessionId. Returns the new epoch, or nil. */
export const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
if not redis.call('ZSCORE', KEYS[3], ARGV[3]) then return false end
${NOW}
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '#' .. epoch, 'PX', ARGV[2])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[3])
return epoch
`;

/**
 * KEYS: live, then (lease, epoch) per session. ARGV: ttlMs, then (sessionId, token, epoch) per session.
 * A lease that expired while nobody took it (the store was unreachable for longer than the TTL) is taken
 * again by the same owner: nobody else wrote in between, since the epoch did not move. Returns the
 * session ids whose lease is lost.
 */
export const RENEW = `
${NOW}
local ttl = tonumber(ARGV[1])
local lost = {}
local n = (#KEYS - 1) / 2
for k = 1, n do
  local lease = KEYS[2 * k]
  local epochKey = KEYS[2 * k + 1]
  local sid = ARGV[3 * k - 1]
  local token = ARGV[3 * k]
  local current = redis.call('GET', lease)
  if current == token then
    redis.call('PEXPIRE', lease, ttl)
    redis.call('ZADD', KEYS[1], 'XX', now + ttl, sid)
  elseif (not current) and redis.call('ZSCORE', KEYS[1], sid) and redis.call('GET', epochKey) == ARGV[3 * k + 1] then
    redis.call('SET', lease, token, 'PX', ttl)
    redis.call('ZADD', KEYS[1], now + ttl, sid)
  else
    table.insert(lost, sid)
  end
end
return lost
`;

/** KEYS: lease, live. ARGV: token, sessionId, released channel. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('ZSCORE', KEYS[2], ARGV[2]) then redis.call('ZADD', KEYS[2], 0, ARGV[2]) end
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1
`;

/** KEYS: live. ARGV: limit. Live sessions whose lease ran out (or was released). */
export const ORPHANS = `
${NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
`;

/** KEYS: outbox. ARGV: seq. Moves the cursor forward only. */
export const SAVE_CURSOR = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end
return 'OK'
`;
