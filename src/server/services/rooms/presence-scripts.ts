// Owns the Redis side of room presence in cluster mode: the keys of a room's members and of the nodes' holds on
// them, and the Lua scripts that change them atomically (join within the limit, leave, release, renew, sweep).

/** Every key starts with this, as the bus's channels do (one Redis may serve other applications too). */
export const PRESENCE_PREFIX = 'parley:room-presence:'

/**
 * A room's keys: `members` (sorted set, score 0, ordered by user id for paging), `joined` (hash user -> joined at),
 * `holds` (sorted set of "user\0node" scored by when that node's hold runs out). `userRooms` is a user's rooms.
 */
export function roomKeys(room: string): { members: string; joined: string; holds: string } {
  const base = `${PRESENCE_PREFIX}room:${room}:`
  return { members: `${base}members`, joined: `${base}joined`, holds: `${base}holds` }
}

/** A counter every change of the room's definition bumps (services/rooms/definitions.ts compares it to its copy's). */
export const definitionVersionKey = (room: string): string => `${PRESENCE_PREFIX}definition:${room}`

/** A random id of the presence data, set by the first node: a node finding another one knows Redis lost the data. */
export const EPOCH_KEY = `${PRESENCE_PREFIX}epoch`

export const USER_ROOMS_PREFIX = `${PRESENCE_PREFIX}user:`
export const userRoomsKey = (user: string): string => `${USER_ROOMS_PREFIX}${user}`
export const holdOf = (user: string, node: string): string => `${user}\u0000${node}`

/** Lua every script starts with: whether a user has a hold left, removing a user from a room, keeping keys alive. */
const SHARED_LUA = `
local function hasHold(holds, user)
  local prefix = user .. '\\0'
  for _, hold in ipairs(redis.call('ZRANGE', holds, 0, -1)) do
    if string.sub(hold, 1, #prefix) == prefix then return true end
  end
  return false
end
local function removeUser(members, joined, holds, user, room, userRoomsPrefix)
  local removed = redis.call('ZREM', members, user)
  redis.call('HDEL', joined, user)
  redis.call('SREM', userRoomsPrefix .. user, room)
  local prefix = user .. '\\0'
  for _, hold in ipairs(redis.call('ZRANGE', holds, 0, -1)) do
    if string.sub(hold, 1, #prefix) == prefix then redis.call('ZREM', holds, hold) end
  end
  return removed
end
local function keepFor(ttl, ...)
  for _, key in ipairs({...}) do redis.call('PEXPIRE', key, ttl) end
end
`

/**
 * KEYS: members, joined, holds, userRooms. ARGV: user, joinedAt, maxMembers, hold, holdUntil, room, keyTtlMs.
 * Returns {added (1/0, -1 = full), count}.
 */
export const JOIN_SCRIPT = `${SHARED_LUA}
local present = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not present then
  local count = redis.call('ZCARD', KEYS[1])
  if count >= tonumber(ARGV[3]) then return {-1, count} end
  redis.call('ZADD', KEYS[1], 0, ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[4], ARGV[6])
end
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
keepFor(ARGV[7], KEYS[1], KEYS[2], KEYS[3], KEYS[4])
if present then return {0, redis.call('ZCARD', KEYS[1])} end
return {1, redis.call('ZCARD', KEYS[1])}
`

/** KEYS: members, joined, holds. ARGV: user, room, userRoomsPrefix. Returns {removed, count}. */
export const LEAVE_SCRIPT = `${SHARED_LUA}
local removed = removeUser(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])
return {removed, redis.call('ZCARD', KEYS[1])}
`

/** KEYS: members, joined, holds. ARGV: user, room, userRoomsPrefix, hold. Returns {removed, count}. */
export const RELEASE_SCRIPT = `${SHARED_LUA}
redis.call('ZREM', KEYS[3], ARGV[4])
if hasHold(KEYS[3], ARGV[1]) then return {0, redis.call('ZCARD', KEYS[1])} end
local removed = removeUser(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])
return {removed, redis.call('ZCARD', KEYS[1])}
`

/**
 * KEYS: members, joined, holds, userRooms. ARGV: user, hold, holdUntil, keyTtlMs. Renews this node's hold while the
 * user is still in the room: 1; 0 = they are gone (removed while this node missed it), the hold is dropped.
 */
export const RENEW_SCRIPT = `${SHARED_LUA}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZREM', KEYS[3], ARGV[2])
  return 0
end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
keepFor(ARGV[4], KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
`

/**
 * KEYS: members, joined, holds. ARGV: now, room, userRoomsPrefix. Drops the holds that ran out; a user with no hold
 * left leaves. Returns {count, user...} (the users who left).
 */
export const SWEEP_SCRIPT = `${SHARED_LUA}
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
if #expired == 0 then return {redis.call('ZCARD', KEYS[1])} end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
local gone = {}
for _, hold in ipairs(expired) do
  local user = string.sub(hold, 1, string.find(hold, '\\0', 1, true) - 1)
  if not hasHold(KEYS[3], user) and removeUser(KEYS[1], KEYS[2], KEYS[3], user, ARGV[2], ARGV[3]) == 1 then
    table.insert(gone, user)
  end
end
local result = {redis.call('ZCARD', KEYS[1])}
for _, user in ipairs(gone) do table.insert(result, user) end
return result
`
