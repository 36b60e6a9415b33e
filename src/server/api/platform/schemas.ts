// Owns the platform API's JSON schemas: body, params, querystring and responses of every route (fastify validates
// with them and @fastify/swagger turns them into the OpenAPI document), with the TypeScript shapes they describe.
import { MAX_TEXT_BYTES, MAX_USERNAME_CHARS } from '../../../shared/limits'
import {
  GROUP_DESCRIPTION_MAX_CHARS,
  GROUP_INVITE_MAX_USERS,
  GROUP_NAME_MAX_CHARS,
  MAX_PASSWORD_LENGTH,
  MAX_ROOM_MAX_MEMBERS,
  MIN_PASSWORD_LENGTH,
  PLATFORM_USERS_PAGE_MAX,
  ROOM_DESCRIPTION_MAX_CHARS,
  ROOM_NAME_MAX_CHARS
} from '../../config'

/** The security requirement every route but the document carries (see the swagger options in routes.ts). */
export const SECURITY = [{ appCredential: [] }]

export const errorSchema = {
  type: 'object',
  description: 'The house error shape: a code and a sentence for people.',
  properties: { code: { type: 'string' }, message: { type: 'string' }, retryAfterMs: { type: 'number' } },
  required: ['code', 'message']
} as const

const errors = { '4xx': errorSchema, '5xx': errorSchema } as const

/**
 * The platform routes' body limit, above the app server's 16 KB (sized for sign-in forms). The largest legal body is
 * a send whose MAX_TEXT_BYTES of text is written \u-escaped, as Python's json.dumps does by default: an emoji is 4
 * bytes in UTF-8 but 12 escaped, so 5 KB of text becomes 15 KB, which 16 KB would take with under 1 KB to spare.
 * 32 KiB takes every legal request however it is written; anything larger is refused with 413 before it is parsed.
 */
export const PLATFORM_MAX_BODY_BYTES = 32 * 1024

const userName = { type: 'string', minLength: 1, maxLength: MAX_USERNAME_CHARS, description: 'a user id (case-insensitive)' } as const
/** Generous: an id's exact rules are the services' (a wrong id answers 404 with a sentence, not a schema error). */
const idString = { type: 'string', minLength: 1, maxLength: 128 } as const
const pageLimit = { type: 'integer', minimum: 1, maximum: PLATFORM_USERS_PAGE_MAX, description: 'page size' } as const
const afterCursor = { type: 'string', maxLength: 128, description: 'the `next` of the previous page' } as const

const userSchema = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    createdAt: { type: 'number', description: 'ms since epoch' },
    banned: { type: 'boolean' },
    deleted: { type: 'boolean' }
  },
  required: ['user', 'createdAt', 'banned', 'deleted']
} as const

const userParams = { type: 'object', properties: { user: userName }, required: ['user'] } as const
const groupParams = { type: 'object', properties: { group: idString }, required: ['group'] } as const
const roomParams = { type: 'object', properties: { room: idString }, required: ['room'] } as const

// ---- users ----

export interface CreateUserBody {
  name: string
  password: string
}
export const createUserSchema = {
  tags: ['users'],
  summary: 'Create a user (who then signs in through the normal login)',
  security: SECURITY,
  body: {
    type: 'object',
    properties: {
      name: { ...userName, description: `1-${MAX_USERNAME_CHARS} ASCII letters, digits, "_", "." or "-"; stored lowercase` },
      password: { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH }
    },
    required: ['name', 'password'],
    additionalProperties: false
  },
  response: { 201: userSchema, ...errors }
} as const

export interface ListUsersQuery {
  prefix?: string
  after?: string
  limit?: number
}
export const listUsersSchema = {
  tags: ['users'],
  summary: 'List users by name, paged, optionally those whose name starts with a prefix',
  security: SECURITY,
  querystring: {
    type: 'object',
    properties: { prefix: { type: 'string', maxLength: MAX_USERNAME_CHARS }, after: afterCursor, limit: pageLimit },
    additionalProperties: false
  },
  response: {
    200: {
      type: 'object',
      properties: { users: { type: 'array', items: userSchema }, next: { type: 'string', description: 'empty on the last page' } },
      required: ['users', 'next']
    },
    ...errors
  }
} as const

export interface UserParams {
  user: string
}
export const banUserSchema = {
  tags: ['users'],
  summary: 'Ban a user: their sign-in is refused and their live connections end at once',
  security: SECURITY,
  params: userParams,
  response: { 200: userSchema, ...errors }
} as const
export const unbanUserSchema = { ...banUserSchema, summary: 'Lift a ban: the user may sign in again' } as const
export const deleteUserSchema = {
  tags: ['users'],
  summary: 'Delete an account (as the account\'s own deletion does: friends told, sessions ended, name reserved)',
  security: SECURITY,
  params: userParams,
  response: { 200: { type: 'object', properties: { user: { type: 'string' } }, required: ['user'] }, ...errors }
} as const

// ---- messages ----

const sendAnswerSchema = {
  type: 'object',
  properties: {
    serverId: { type: 'number' },
    timestamp: { type: 'number', description: 'ms since epoch' },
    seq: { type: 'number', description: 'the message\'s seq in the sender\'s log, or in the group\'s log' },
    clientId: { type: 'string', description: 'the idempotency key used (send again with it: the original answer, nothing stored twice)' }
  },
  required: ['serverId', 'timestamp', 'seq', 'clientId']
} as const

const textField = { type: 'string', minLength: 1, maxLength: MAX_TEXT_BYTES, description: `at most ${MAX_TEXT_BYTES} UTF-8 bytes` } as const
const clientIdField = { type: 'string', pattern: '^[0-9a-fA-F]{32}$', description: 'optional idempotency key: 32 hex characters' } as const

export interface SendAsUserBody {
  from: string
  to: string
  chatType?: 'user' | 'group'
  text: string
  clientId?: string
}
export const sendAsUserSchema = {
  tags: ['messages'],
  summary: 'Send a text message as a user, to a user or a group (stored, ordered and delivered like any message)',
  security: SECURITY,
  body: {
    type: 'object',
    properties: {
      from: userName,
      to: { ...idString, description: 'a user id, or a group id with chatType "group"' },
      chatType: { type: 'string', enum: ['user', 'group'], default: 'user' },
      text: textField,
      clientId: clientIdField
    },
    required: ['from', 'to', 'text'],
    additionalProperties: false
  },
  response: { 200: sendAnswerSchema, ...errors }
} as const

export interface SendAsSystemBody {
  to: string
  text: string
  clientId?: string
}
export const sendAsSystemSchema = {
  tags: ['messages'],
  summary: 'Send a text message to a user as the system (sender id "system", which no one can register)',
  security: SECURITY,
  body: {
    type: 'object',
    properties: { to: userName, text: textField, clientId: clientIdField },
    required: ['to', 'text'],
    additionalProperties: false
  },
  response: { 200: sendAnswerSchema, ...errors }
} as const

// ---- groups ----

export interface CreateGroupBody {
  owner: string
  name: string
  description?: string
  members?: string[]
  isPublic?: boolean
}
export const createGroupSchema = {
  tags: ['groups'],
  summary: 'Create a group with an owner and its first members',
  security: SECURITY,
  body: {
    type: 'object',
    properties: {
      owner: userName,
      name: { type: 'string', minLength: 1, maxLength: GROUP_NAME_MAX_CHARS },
      description: { type: 'string', maxLength: GROUP_DESCRIPTION_MAX_CHARS },
      members: { type: 'array', items: userName, maxItems: GROUP_INVITE_MAX_USERS, uniqueItems: true },
      isPublic: { type: 'boolean', default: false }
    },
    required: ['owner', 'name'],
    additionalProperties: false
  },
  response: { 201: { type: 'object', properties: { group: { type: 'string' } }, required: ['group'] }, ...errors }
} as const

export interface GroupParams {
  group: string
}
export interface PageQuery {
  after?: string
  limit?: number
}
const pageQuery = { type: 'object', properties: { after: afterCursor, limit: pageLimit }, additionalProperties: false } as const
const memberList = {
  type: 'object',
  properties: {
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: { user: { type: 'string' }, role: { type: 'string', enum: ['member', 'admin', 'owner'] }, joinedAt: { type: 'number' } },
        required: ['user', 'role', 'joinedAt']
      }
    },
    memberCount: { type: 'integer' },
    next: { type: 'string', description: 'empty on the last page' }
  },
  required: ['members', 'memberCount', 'next']
} as const

export const groupMembersSchema = {
  tags: ['groups'],
  summary: 'List a group\'s members (owner, then admins, then members)',
  security: SECURITY,
  params: groupParams,
  querystring: pageQuery,
  response: { 200: memberList, ...errors }
} as const

export interface AddMembersBody {
  users: string[]
}
export const addGroupMembersSchema = {
  tags: ['groups'],
  summary: 'Add members (as the owner inviting them; pending when the group asks for the invitee\'s consent)',
  security: SECURITY,
  params: groupParams,
  body: {
    type: 'object',
    properties: { users: { type: 'array', items: userName, minItems: 1, maxItems: GROUP_INVITE_MAX_USERS, uniqueItems: true } },
    required: ['users'],
    additionalProperties: false
  },
  response: {
    200: { type: 'object', properties: { group: { type: 'string' }, pending: { type: 'boolean' } }, required: ['group', 'pending'] },
    ...errors
  }
} as const

export interface GroupMemberParams {
  group: string
  user: string
}
export const removeGroupMemberSchema = {
  tags: ['groups'],
  summary: 'Remove a member (as the owner: the owner cannot be removed)',
  security: SECURITY,
  params: { type: 'object', properties: { group: idString, user: userName }, required: ['group', 'user'] },
  response: { 200: { type: 'object', properties: { group: { type: 'string' } }, required: ['group'] }, ...errors }
} as const

export const dissolveGroupSchema = {
  tags: ['groups'],
  summary: 'Dissolve a group: every member\'s devices get the DISSOLVED membership event',
  security: SECURITY,
  params: groupParams,
  response: { 200: { type: 'object', properties: { group: { type: 'string' } }, required: ['group'] }, ...errors }
} as const

// ---- rooms ----

export interface CreateRoomBody {
  owner: string
  name: string
  description?: string
  maxMembers?: number
}
export const createRoomSchema = {
  tags: ['rooms'],
  summary: 'Create a chat room with an owner',
  security: SECURITY,
  body: {
    type: 'object',
    properties: {
      owner: userName,
      name: { type: 'string', minLength: 1, maxLength: ROOM_NAME_MAX_CHARS },
      description: { type: 'string', maxLength: ROOM_DESCRIPTION_MAX_CHARS },
      maxMembers: { type: 'integer', minimum: 1, maximum: MAX_ROOM_MAX_MEMBERS, description: 'the server\'s default when absent' }
    },
    required: ['owner', 'name'],
    additionalProperties: false
  },
  response: { 201: { type: 'object', properties: { room: { type: 'string' } }, required: ['room'] }, ...errors }
} as const

export interface ListRoomsQuery {
  query?: string
  after?: string
  limit?: number
}
export const listRoomsSchema = {
  tags: ['rooms'],
  summary: 'List rooms (optionally those whose name contains a text), paged',
  security: SECURITY,
  querystring: {
    type: 'object',
    properties: { query: { type: 'string', maxLength: 256 }, after: afterCursor, limit: pageLimit },
    additionalProperties: false
  },
  response: {
    200: {
      type: 'object',
      properties: {
        rooms: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              room: { type: 'string' },
              name: { type: 'string' },
              description: { type: 'string' },
              owner: { type: 'string' },
              memberCount: { type: 'integer' },
              maxMembers: { type: 'integer' },
              createdAt: { type: 'number' }
            },
            required: ['room', 'name', 'description', 'owner', 'memberCount', 'maxMembers', 'createdAt']
          }
        },
        next: { type: 'string', description: 'empty on the last page' }
      },
      required: ['rooms', 'next']
    },
    ...errors
  }
} as const

export interface RoomParams {
  room: string
}
export const roomMembersSchema = {
  tags: ['rooms'],
  summary: 'List the members present in a room',
  security: SECURITY,
  params: roomParams,
  querystring: pageQuery,
  response: { 200: memberList, ...errors }
} as const
export const deleteRoomSchema = {
  tags: ['rooms'],
  summary: 'Delete a room: its members get the deleted event',
  security: SECURITY,
  params: roomParams,
  response: { 200: { type: 'object', properties: { room: { type: 'string' } }, required: ['room'] }, ...errors }
} as const

// ---- credential ----

export const rotateCredentialSchema = {
  tags: ['credential'],
  summary: 'Rotate the app credential: answers the new one (shown once); the old one stops working at once',
  security: SECURITY,
  response: {
    200: { type: 'object', properties: { credential: { type: 'string' } }, required: ['credential'] },
    ...errors
  }
} as const
