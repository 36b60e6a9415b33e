// End-to-end: three people in their own browser contexts use the real renderer through the browser host against
// the real server: the owner creates a group with one member, invites another from the group info panel (its sections
// stacked: the Members heading above "Mute for", wide and narrow), a message reaches both (no "Read by 0" before anyone
// read it, "Read by N" after), and the owner removes a member after confirming it, whose screen then says so and gets
// nothing more. Both members are the owner's friends with nicknames, so her screen names them (never by id): in the
// member list, the notices, the list's preview, the @mention suggestions, the typing line, the reactions, "Read by";
// live when a name changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import {
  E2eApp,
  befriend,
  bubble,
  chooseMessageAction,
  composer,
  conversationButton,
  createAccountAndSignIn,
  createGroup,
  messageLog,
  seesMessage,
  send,
  setNickname,
  setRemark
} from './app-fixture'
import { confirmWith, confirmationCancels, eventually, waitVisible } from './helpers'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
const carol = `carol_${suffix}`
const GROUP = `Trail crew ${suffix}`
const BOB_NAME = 'Bob Ström'
const CAROL_NAME = 'Carol Chen'

let app: E2eApp
let alicePage: Page
let bobPage: Page
let carolPage: Page

async function openGroup(page: Page): Promise<void> {
  await conversationButton(page, GROUP).click()
  await waitVisible(page.getByRole('heading', { level: 2, name: GROUP, exact: true }))
}

describe('groups in the browser', () => {
  beforeAll(async () => {
    app = await E2eApp.start()
    alicePage = await app.openPerson('alice')
    bobPage = await app.openPerson('bob')
    carolPage = await app.openPerson('carol')
    await createAccountAndSignIn(alicePage, alice)
    await createAccountAndSignIn(bobPage, bob)
    await createAccountAndSignIn(carolPage, carol)
  })

  afterAll(async () => {
    await app?.close()
  })

  it('a group is created, a member invited, a message seen by all, and a member removed by the owner', async () => {
    // Bob and carol are alice's friends, known by their nicknames.
    await befriend(alicePage, alice, bobPage, bob)
    await befriend(alicePage, alice, carolPage, carol)
    await setNickname(bobPage, BOB_NAME)
    await setNickname(carolPage, CAROL_NAME)

    // Alice creates the group with bob in it.
    await createGroup(alicePage, GROUP, bob)
    await waitVisible(alicePage.getByTestId('group-header-line').filter({ hasText: '2 members' }))

    // She invites carol from the group info panel.
    await alicePage.getByRole('button', { name: 'Group info', exact: true }).click()
    const info = alicePage.getByRole('dialog', { name: 'Group info' })
    await waitVisible(info)
    await info.getByLabel('Usernames to invite', { exact: true }).fill(carol)
    await info.getByRole('button', { name: 'Invite', exact: true }).click()
    await waitVisible(info.getByTestId(`group-member-${carol}`))
    // The Members heading stands above the "Mute for" choice, not beside it, in a wide and a narrow window.
    for (const viewport of [{ width: 1180, height: 760 }, { width: 560, height: 760 }]) {
      await alicePage.setViewportSize(viewport)
      await eventually(async () => {
        const heading = await info.getByRole('heading', { level: 3, name: 'Members', exact: true }).boundingBox()
        const muteFor = await info.getByLabel('Mute for', { exact: true }).boundingBox()
        expect(heading && muteFor).toBeTruthy()
        expect(heading!.y + heading!.height).toBeLessThanOrEqual(muteFor!.y)
      })
    }
    await alicePage.setViewportSize({ width: 1180, height: 760 })
    await eventually(async () => expect(await info.getByTestId(`group-member-${carol}`).textContent()).toContain(`${CAROL_NAME} (${carol})`))
    await info.getByRole('button', { name: 'Close', exact: true }).click()
    // Her timeline says whom she added by name, not id.
    await waitVisible(messageLog(alicePage).getByRole('note').filter({ hasText: `You added ${CAROL_NAME}` }))

    // A message reaches everyone, with the notice of who was added in the timeline.
    await send(alicePage, 'hello crew')
    // Nobody has read it yet: the tick only, no "Read by 0" (the count is asked for after a short batching delay).
    const crewBubble = messageLog(alicePage).getByRole('article').filter({ hasText: 'hello crew' })
    await waitVisible(crewBubble.getByRole('img', { name: 'Sent', exact: true }))
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(await crewBubble.getByTestId('read-by').count()).toBe(0)
    for (const page of [bobPage, carolPage]) {
      await openGroup(page)
      await seesMessage(page, 'hello crew')
      await waitVisible(messageLog(page).getByRole('note').filter({ hasText: `${alice} added` }).first())
    }
    // Incoming group messages carry the sender's name.
    await waitVisible(messageLog(bobPage).getByRole('article').filter({ hasText: 'hello crew' }).filter({ hasText: alice }))
    // Once they read it, the count shows.
    await waitVisible(crewBubble.getByTestId('read-by').filter({ hasText: /^Read by [12]$/ }))
    // Bob typing shows under alice's header and in her list by his name.
    await composer(bobPage).pressSequentially('hel')
    await eventually(async () => expect(await alicePage.getByTestId('typing-line').textContent()).toBe(`${BOB_NAME} is typing…`))
    await eventually(async () => expect(await conversationButton(alicePage, GROUP).textContent()).toContain(`${BOB_NAME} is typing…`))
    await composer(bobPage).fill('')
    await send(bobPage, 'hi from bob')
    await seesMessage(alicePage, 'hi from bob')
    await seesMessage(carolPage, 'hi from bob')
    // Alice's list previews bob's message under his name.
    await eventually(async () =>
      expect(await conversationButton(alicePage, GROUP).getAttribute('aria-label')).toContain(`last message: ${BOB_NAME}: hi from bob`)
    )

    // Bob reacts to alice's message: her chip says who by name.
    await chooseMessageAction(bobPage, 'hello crew', 'React')
    await bobPage.getByRole('button', { name: 'React with 👍' }).click()
    const chip = bubble(alicePage, 'hello crew').getByRole('button', { name: /^👍 1: / })
    await waitVisible(chip)
    expect(await chip.getAttribute('title')).toBe(`👍 by ${BOB_NAME}`)

    // Both have read "hello crew": "Read by 2" lists them by name.
    const readBy = bubble(alicePage, 'hello crew').getByTestId('read-by')
    await eventually(async () => expect(await readBy.textContent()).toContain('Read by 2'))
    await readBy.click()
    const readers = alicePage.getByRole('dialog', { name: 'Who read this message' }).getByRole('list', { name: 'Readers' })
    await eventually(async () => expect((await readers.getByRole('listitem').allTextContents()).sort()).toEqual([BOB_NAME, CAROL_NAME]))
    await alicePage.getByRole('dialog', { name: 'Who read this message' }).getByRole('button', { name: 'Close', exact: true }).click()

    // "@bo" suggests bob by name and id; picking him types the id the server expects.
    await composer(alicePage).pressSequentially('@bo')
    const suggestion = alicePage.getByRole('listbox', { name: 'People to mention' }).getByRole('option', { name: `${BOB_NAME} @${bob}` })
    await waitVisible(suggestion)
    await suggestion.click()
    expect(await composer(alicePage).inputValue()).toBe(`@${bob} `)
    await composer(alicePage).fill('')

    // Names follow changes live: carol's new nickname renames her in the open timeline; alice's remark for bob
    // renames him in the list.
    await setNickname(carolPage, 'Carol C.')
    await waitVisible(messageLog(alicePage).getByRole('note').filter({ hasText: 'You added Carol C.' }))
    await setRemark(alicePage, bob, 'Bobby')
    await eventually(async () => expect(await conversationButton(alicePage, GROUP).getAttribute('aria-label')).toContain('last message: Bobby: hi from bob'))
    await openGroup(alicePage)

    // The owner removes carol: her screen says so, her composer is gone, and she gets nothing more.
    await alicePage.getByRole('button', { name: 'Group info', exact: true }).click()
    const again = alicePage.getByRole('dialog', { name: 'Group info' })
    // Her buttons and the question name her as the list does (nickname and id), not by the id alone.
    const removeCarol = again.getByRole('button', { name: `Remove Carol C. (${carol}) from the group`, exact: true })
    // Removing asks first (Enter on the focused Cancel and Escape keep her in), over the group info dialog.
    await confirmationCancels(alicePage, `Remove Carol C. (${carol}) from the group?`, () => removeCarol.click())
    await waitVisible(again.getByTestId(`group-member-${carol}`))
    await removeCarol.click()
    await confirmWith(alicePage, `Remove Carol C. (${carol}) from the group?`, 'Remove')
    await eventually(async () => expect(await again.getByTestId(`group-member-${carol}`).count()).toBe(0))
    await again.getByRole('button', { name: 'Close', exact: true }).click()
    await waitVisible(messageLog(alicePage).getByRole('note').filter({ hasText: 'You removed Carol C.' }))
    await eventually(async () => expect(await conversationButton(alicePage, GROUP).getAttribute('aria-label')).toContain('last message: You removed Carol C.'))

    await waitVisible(carolPage.getByTestId('group-header-line').filter({ hasText: 'You were removed from this group' }))
    await waitVisible(carolPage.getByTestId('composer-closed'))
    expect(await composer(carolPage).count()).toBe(0)
    await waitVisible(messageLog(carolPage).getByRole('note').filter({ hasText: `${alice} removed you` }))

    await send(alicePage, 'only for the two of us')
    await seesMessage(bobPage, 'only for the two of us')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await messageLog(carolPage).getByRole('article').filter({ hasText: 'only for the two of us' }).count()).toBe(0)
    expect(app.pageErrors).toEqual([])
  }, 240_000)
})
