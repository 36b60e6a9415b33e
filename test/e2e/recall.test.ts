// End-to-end: recalling a message through the real renderer, browser host and server. Alice sends, picks Recall in
// the message's action menu, confirms it in the dialog that asks first (Cancel focused: Enter and Escape keep the
// message), and both sides see the notice in its place ("You recalled a message" / "alice recalled a message"), never
// the text; then she edits another message inline and both see it "edited". Delete for me and Clear conversation ask too.
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { bubble, chooseMessageAction, composer, messageLog, opensChatWith, seesMessage, send, startChat, twoPeopleSignedIn } from './app-fixture'
import { confirmDialog, confirmWith, confirmationCancels, eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`

const people = twoPeopleSignedIn(alice, bob)

describe('recall and edit', () => {
  it('a recalled message turns into the notice on both sides', async () => {
    await startChat(people.first, bob)
    await opensChatWith(people.first, bob)
    await send(people.first, 'Wrong chat, sorry')
    await send(people.first, 'See you at nine')
    await people.second.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${alice}\\b`) }).click()
    await opensChatWith(people.second, alice)
    await seesMessage(people.second, 'Wrong chat, sorry')

    // Recall asks first; Enter (on Cancel) and Escape keep the message on both sides.
    await confirmationCancels(people.first, 'Recall this message for everyone?', () => chooseMessageAction(people.first, 'Wrong chat, sorry', 'Recall'))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await bubble(people.first, 'Wrong chat, sorry').count()).toBe(1)
    expect(await bubble(people.second, 'Wrong chat, sorry').count()).toBe(1)
    await chooseMessageAction(people.first, 'Wrong chat, sorry', 'Recall')
    await confirmWith(people.first, 'Recall this message for everyone?', 'Recall')
    await waitVisible(messageLog(people.first).getByText('You recalled a message'))
    await waitVisible(messageLog(people.second).getByText(`${alice} recalled a message`))
    await eventually(async () => expect(await bubble(people.second, 'Wrong chat, sorry').count()).toBe(0))
    expect(await bubble(people.first, 'Wrong chat, sorry').count()).toBe(0)

    // Edit inline: the composer takes the text, Enter saves, both sides show "edited".
    await chooseMessageAction(people.first, 'See you at nine', 'Edit')
    await waitVisible(people.first.getByTestId('edit-bar'))
    await composer(people.first).fill('See you at ten')
    await composer(people.first).press('Enter')
    await waitVisible(bubble(people.second, 'See you at ten').getByTestId('message-edited'))
    await waitVisible(bubble(people.first, 'See you at ten').getByTestId('message-edited'))
    expect(await bubble(people.second, 'See you at nine').count()).toBe(0)
    expect(people.app.pageErrors).toEqual([])
  }, 120_000)

  it('Delete for me and Clear conversation ask first', async () => {
    await send(people.first, 'Only mine to drop')
    await seesMessage(people.second, 'Only mine to drop')
    await confirmationCancels(people.first, 'Delete this message for you?', () => chooseMessageAction(people.first, 'Only mine to drop', 'Delete for me'))
    expect(await bubble(people.first, 'Only mine to drop').count()).toBe(1)
    await chooseMessageAction(people.first, 'Only mine to drop', 'Delete for me')
    await confirmWith(people.first, 'Delete this message for you?', 'Delete')
    await eventually(async () => expect(await bubble(people.first, 'Only mine to drop').count()).toBe(0))
    expect(await bubble(people.second, 'Only mine to drop').count()).toBe(1)

    // Clear conversation (Chat settings): Cancel keeps everything, Clear empties the chat on this device.
    await people.first.getByRole('button', { name: 'Chat settings', exact: true }).click()
    const settings = people.first.getByRole('dialog', { name: 'Chat settings', exact: true })
    await waitVisible(settings)
    await settings.getByRole('button', { name: 'Clear conversation', exact: true }).click()
    const question = confirmDialog(people.first, 'Clear this conversation?')
    await waitVisible(question)
    await question.getByRole('button', { name: 'Cancel', exact: true }).click()
    await eventually(async () => expect(await question.count()).toBe(0))
    expect(await bubble(people.first, 'See you at ten').count()).toBe(1)
    await settings.getByRole('button', { name: 'Clear conversation', exact: true }).click()
    await confirmWith(people.first, 'Clear this conversation?', 'Clear')
    await eventually(async () => expect(await bubble(people.first, 'See you at ten').count()).toBe(0))
    expect(await bubble(people.second, 'See you at ten').count()).toBe(1)
    expect(people.app.pageErrors).toEqual([])
  }, 120_000)
})
