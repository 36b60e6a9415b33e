// End-to-end: recalling a message through the real renderer, browser host and server. Alice sends, picks Recall in
// the message's action menu, and both sides see the notice in its place ("You recalled a message" / "alice recalled
// a message"), never the text; then she edits another message inline and both see it "edited".
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { bubble, chooseMessageAction, composer, messageLog, opensChatWith, seesMessage, send, startChat, twoPeopleSignedIn } from './app-fixture'
import { eventually, waitVisible } from './helpers'

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

    await chooseMessageAction(people.first, 'Wrong chat, sorry', 'Recall')
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
})
