// Owns what happens to command messages (the seed service's app-to-app signals): they are handed to the app as a
// 'command' event and never stored as visible messages, so they are never unread nor a conversation's last message.
import type { ChatMessage, CommandContent } from '../../../shared/model'
import type { AppCommand } from '../../../shared/model/commands'

/** A stored-or-shown message versus a command. */
export function isCommandMessage(message: ChatMessage): message is ChatMessage & { content: CommandContent } {
  return message.content.type === 'command'
}

/** The messages that are shown and stored, and the commands among them (in their order). */
export function splitCommands(messages: readonly ChatMessage[]): { shown: ChatMessage[]; commands: AppCommand[] } {
  const shown: ChatMessage[] = []
  const commands: AppCommand[] = []
  for (const message of messages) {
    if (isCommandMessage(message)) commands.push(commandOf(message))
    else shown.push(message)
  }
  return { shown, commands }
}

/** The event the app gets for a command message. */
export function commandOf(message: ChatMessage & { content: CommandContent }): AppCommand {
  return {
    id: message.id,
    conversation: { type: message.chatType, id: message.conversationId },
    from: message.from,
    direction: message.direction,
    action: message.content.action,
    params: { ...message.content.params },
    timestamp: message.timestamp
  }
}
