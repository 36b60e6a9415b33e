// The groups feature's state: the groups this device keeps (`groups.mine` + live `groups.changed`), invitations
// waiting for me (the badge on the list's Invitations button), join requests of the groups I run, and every group
// operation with its failure as a sentence. A dissolved group leaves the conversation list.
import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import type {
  GroupChangeResult,
  GroupCreateOptions,
  GroupInvitation,
  GroupJoinRequest,
  GroupRole,
  GroupSummary
} from '../../../../shared/model'
import { conversationKeyString, parseConversationKeyString } from '../../../../shared/model'
import { bridge } from '../../bridge'
import { useConversationStore } from '../../stores/conversations'
import { useSessionStore } from '../../stores/session'

/** The group a '<type>:<id>' key opens, or null when it is not a group. */
export function groupOfKey(key: string | null): string | null {
  const parsed = key ? parseConversationKeyString(key) : null
  return parsed?.type === 'group' ? parsed.id : null
}

export function groupKey(group: string): string {
  return conversationKeyString({ type: 'group', id: group })
}

/** Owners and admins run the group (invite, remove, mute, approve...). */
export function runsGroup(role: GroupRole | undefined): boolean {
  return role === 'owner' || role === 'admin'
}

export const useGroupStore = defineStore('groups', () => {
  const conversations = useConversationStore()
  const byId = ref(new Map<string, GroupSummary>())
  const invitations = ref<GroupInvitation[]>([])
  const joinRequests = ref<GroupJoinRequest[]>([])
  const loaded = ref(false)

  /** What waits for my answer: invitations to me and join requests to the groups I run. */
  const pendingCount = computed(() => invitations.value.length + joinRequests.value.length)

  function summaryOf(group: string | null): GroupSummary | null {
    return group ? (byId.value.get(group) ?? null) : null
  }

  function setSummary(summary: GroupSummary): void {
    const next = new Map(byId.value)
    next.set(summary.id, summary)
    byId.value = next
  }

  async function load(): Promise<void> {
    try {
      const mine = await bridge.invoke('groups.mine')
      byId.value = new Map(mine.map((g) => [g.id, g]))
      loaded.value = true
    } catch (err) {
      console.warn('[renderer:groups] could not load the groups', err)
    }
    await loadPending()
  }

  /** Invitations to me, and the join requests of every group I own or administer. */
  async function loadPending(): Promise<void> {
    try {
      invitations.value = await bridge.invoke('groups.invitations')
      const requests: GroupJoinRequest[] = []
      for (const group of byId.value.values()) {
        if (group.state !== 'member' || !runsGroup(group.myRole)) continue
        requests.push(...(await bridge.invoke('groups.pending', { group: group.id })))
      }
      joinRequests.value = requests
    } catch (err) {
      console.warn('[renderer:groups] could not load the pending invitations and requests', err)
    }
  }

  bridge.on('groups.changed', (changed) => {
    if (useSessionStore().phase !== 'signedIn') return
    if (changed.summary) setSummary(changed.summary)
    const kind = changed.membership?.kind
    if (kind === 'dissolved') {
      // The group is gone on every device: out of the list, and closed if it was open.
      if (conversations.selectedKey === groupKey(changed.group)) conversations.select(null)
      void conversations.load()
    }
    if (kind === 'invited' || kind === 'joined' || kind === 'roleChanged' || changed.membership === null) void loadPending()
  })

  async function create(options: GroupCreateOptions): Promise<GroupChangeResult> {
    const done = await bridge.invoke('groups.create', options)
    return done
  }

  async function decideInvitation(group: string, accept: boolean): Promise<void> {
    await bridge.invoke('groups.decideInvitation', { group, accept })
    invitations.value = invitations.value.filter((i) => i.group !== group)
  }

  async function decideJoin(group: string, user: string, accept: boolean): Promise<void> {
    await bridge.invoke('groups.decideJoin', { group, user, accept })
    joinRequests.value = joinRequests.value.filter((r) => !(r.group === group && r.user === user))
  }

  /** Refreshes a group's description from the server (the info panel opens with it). */
  async function refresh(group: string): Promise<void> {
    await bridge.invoke('groups.info', { group })
    // groups.changed carries the stored record; read it in case this device does not keep the group.
    const mine = await bridge.invoke('groups.mine')
    byId.value = new Map(mine.map((g) => [g.id, g]))
  }

  function reset(): void {
    byId.value = new Map()
    invitations.value = []
    joinRequests.value = []
    loaded.value = false
  }

  return { byId, invitations, joinRequests, pendingCount, loaded, summaryOf, load, loadPending, create, decideInvitation, decideJoin, refresh, reset }
})
