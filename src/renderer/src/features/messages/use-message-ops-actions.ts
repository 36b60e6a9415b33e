// The recall helper's items of a bubble's action menu: Recall (own messages; any member's for a group's owner and
// admins), Edit (own text messages) and Delete for me. Recall and Delete for me ask first (stores/confirm); then each
// only asks the message-ops store to act.
import { computed, type ComputedRef } from 'vue'
import type { ChatMessage } from '../../../../shared/model'
import { runsGroup, useGroupStore } from '../groups/groups-store'
import type { MessageAction } from './message-actions'
import { useMessageOpsStore } from './message-ops-store'
import { tr } from '../../i18n/translate'
import { useConfirmStore } from '../../stores/confirm'
import { idAsName, type NameOf } from '../../utils/name-of'

/** The notice a recalled message leaves: "You recalled a message" / "Ben Smith recalled a message" (`nameOf`); null otherwise. */
export function recallNotice(message: ChatMessage, me: string | null, nameOf: NameOf = idAsName): string | null {
  if (message.content.type !== 'recalled') return null
  return message.content.by === me ? tr('messages.recalledByMe') : tr('messages.recalledBy', { user: nameOf(message.content.by) })
}

export function useMessageOpsActions(message: () => ChatMessage): ComputedRef<MessageAction[]> {
  const ops = useMessageOpsStore()
  const groups = useGroupStore()
  const confirm = useConfirmStore()
  return computed(() => {
    const current = message()
    const items: MessageAction[] = []
    const type = current.content.type
    if (type === 'notice' || type === 'recalled' || current.chatType === 'room') return items
    const own = current.direction === 'out'
    const onServer = current.serverId !== null
    const moderator = current.chatType === 'group' && runsGroup(groups.summaryOf(current.conversationId)?.myRole)
    if (onServer && own && type === 'text') items.push({ id: 'edit', label: tr('messages.actions.edit'), icon: '✎', run: () => ops.startEdit(current) })
    if (onServer && (own || moderator)) items.push({
        id: 'recall',
        label: tr('messages.actions.recall'),
        icon: '⟲',
        danger: true,
        run: async () => {
          const yes = await confirm.ask({ title: tr('messages.confirm.recallTitle'), detail: tr('messages.confirm.recallDetail'), confirmLabel: tr('messages.confirm.recall') })
          if (yes) await ops.recall(current)
        }
      })
    items.push({
      id: 'delete-for-me',
      label: tr('messages.actions.deleteForMe'),
      icon: 'trash',
      danger: true,
      run: async () => {
        const yes = await confirm.ask({ title: tr('messages.confirm.deleteTitle'), detail: tr('messages.confirm.deleteDetail'), confirmLabel: tr('messages.confirm.delete') })
        if (yes) await ops.deleteForMe(current)
      }
    })
    return items
  })
}
