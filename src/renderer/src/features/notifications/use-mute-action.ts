// Owns the do-not-disturb item of a conversation's menu in the list: "Do not disturb" (until turned off; the header's
// menu offers the timed choices) or, while muted, "Turn off do not disturb". Synced to the account's devices.
import { computed, type ComputedRef } from 'vue'
import { bridge } from '../../bridge'
import { tr } from '../../i18n/translate'
import type { Conversation } from '../../../../shared/model'
import { MUTED_UNTIL_TURNED_OFF } from '../../../../shared/notifications'
import { keyOfConversation, toConversationKey } from '../../utils/conversation-key'
import type { MessageAction } from '../messages/message-actions'
import { useNotificationsStore } from './notifications-store'

export function useMuteAction(conversation: () => Conversation): ComputedRef<MessageAction> {
  const notifications = useNotificationsStore()
  return computed(() => {
    const current = conversation()
    const muted = notifications.mutedNow(current)
    const key = toConversationKey(keyOfConversation(current))
    return {
      id: muted ? 'unmute-conversation' : 'mute-conversation',
      label: tr(muted ? 'notifications.dnd.turnOff' : 'notifications.dnd.menuLabel'),
      icon: muted ? 'bell' : 'bellOff',
      run: async () => {
        await bridge.invoke('conversations.setState', { conversation: key, mutedUntil: muted ? 0 : MUTED_UNTIL_TURNED_OFF })
      }
    }
  })
}
