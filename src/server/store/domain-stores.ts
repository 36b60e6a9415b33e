// Owns DomainStores, every domain's store interface in one (ServerStore extends it), and the list of their methods
// that the worker proxy forwards. Apart from domains.ts so the contract names the domains without their code.
import type { ContactsStore } from './contacts/types'
import type { GroupsStore } from './groups/types'
import type { PlatformStore } from './platform/types'
import type { ProfilesStore } from './profiles/types'
import type { RoomsStore } from './rooms/types'
import type { MessageOpsStore } from './message-ops/types'
import type { ReactionsStore } from './reactions/types'
import type { DevicesStore } from './devices/types'
import type { AttachmentsStore } from './attachments/types'
import type { ReceiptsStore } from './receipts/types'

/** Every domain's store interface; ServerStore extends this. A new domain adds its interface here. */
export interface DomainStores
  extends RoomsStore,
    ContactsStore,
    ProfilesStore,
    GroupsStore,
    PlatformStore,
    AttachmentsStore,
    ReceiptsStore,
    ReactionsStore,
    DevicesStore,
    MessageOpsStore {}

/** The names of DomainStores' methods: the worker proxy forwards exactly these (the type checks none is missing). */
export const DOMAIN_METHODS = [
  // rooms
  'createRoom',
  'getRoom',
  'listRooms',
  'updateRoomInfo',
  'setRoomAdmin',
  'setRoomMute',
  'setRoomMutedAll',
  'setRoomBan',
  'deleteRoom',
  'roomAttributes',
  'setRoomAttributes',
  'removeRoomAttributes',
  'roomsOwnedBy',
  'roomSucceedDeletedOwner',
  'roomsForgetDeletedAccount',
  'roomsDeletedAccountsPending',
  'roomRecentAppend',
  'roomRecent',
  'roomRecentDrop',
  // contacts
  'contactsList',
  'contactsChange',
  'contactsFriendsOf',
  'contactsMessagingFacts',
  // profiles
  'profilesGet',
  'profileUpdate',
  'profileSetLastSeen',
  'accountDeletedAt',
  'accountSetPasswordHash',
  'accountDelete',
  'accountReclaimName',
  // reactions, one-to-one pins, conversation states
  'reactionChange',
  'reactionsOf',
  'groupReactionChanges',
  'singlePinChange',
  'conversationStateChange',
  'conversationStates',
  // devices
  'devicesOf',
  'deviceSetName',
  'deviceSeen',
  'devicesEnforceLimit',
  // groups
  'changeGroup',
  'groupInfo',
  'groupMembers',
  'groupDirectory',
  'myGroups',
  'groupJoinRequests',
  'myGroupInvitations',
  'groupSync',
  'groupHistory',
  'groupReadAllowed',
  'groupIdsOf',
  'groupSummaries',
  'groupsOfDeletedAccount',
  'groupsDeletedAccountsPending',
  'groupDropDeletedAccount',
  'tableRowCounts',
  // platform API
  'platformUsers',
  'accountBannedAt',
  'accountSetBanned',
  'platformReserveName',
  'secretReplace',
  'attemptsPeek',
  'platformGroupOwner',
  // message-ops (recall, edit, clear elsewhere, self-destruct)
  'recallMessage',
  'editMessage',
  'conversationSettings',
  'setConversationSettings',
  'clearConversationElsewhere',
  'deleteForUser',
  'startBurnTimers',
  'startGroupBurnTimers',
  'sweepExpired',
  'nextExpiry',
  // attachments
  'attachmentUploadCreate',
  'attachmentUpload',
  'attachmentUploadAdvance',
  'attachmentUploadDelete',
  'attachmentUploadsIdleSince',
  'attachmentComplete',
  'attachmentGet',
  'attachmentsGet',
  'attachmentGrants',
  'attachmentGrant',
  'attachmentsCollectable',
  'attachmentsOfMessages',
  'attachmentsDelete',
  // receipts
  'receiptsPrivacy',
  'receiptsSetPrivacy',
  'receiptsRead',
  'receiptsDelivered',
  'receiptsPeerPointers',
  'receiptsGroupReaders',
  'receiptsGroupSenders',
  'receiptsGroupReadSeq',
  'receiptsIsMember'
] as const satisfies readonly (keyof DomainStores)[]

type MissingDomainMethods = Exclude<keyof DomainStores, (typeof DOMAIN_METHODS)[number]>
/** Fails to compile when a domain method is not listed in DOMAIN_METHODS. */
export const DOMAIN_METHODS_COMPLETE: MissingDomainMethods extends never ? true : never = true
