import { expect, test, type Page } from '@playwright/test';
import { createUser, signIn } from './helpers';

const EMAIL = 'e2e-chat@genos.test';
const PASSWORD = 'e2e-password-1234';

test.beforeAll(async () => {
  await createUser(EMAIL, PASSWORD);
});

async function say(page: Page, text: string) {
  const cards = page.getByTestId('spec-card');
  const before = await cards.count();
  await page.getByLabel('Describe the environment you need').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(cards).toHaveCount(before + 1);
  return cards.last();
}

test('the chat shows questions, problems and assumptions inline, and edits the spec in a refinement round trip', async ({ page }) => {
  await signIn(page, EMAIL, PASSWORD);
  await expect(page.getByRole('heading', { name: 'What do you need?', exact: true })).toBeVisible();

  // A vague request: questions, no Launch button.
  let card = await say(page, 'something for work');
  await expect(card).toHaveAttribute('data-status', 'needs_clarification');
  await expect(card.getByTestId('spec-questions')).toContainText('Which applications');
  await expect(card.getByRole('button', { name: 'Launch' })).toHaveCount(0);

  // The answer completes the request that raised the questions.
  card = await say(page, 'a desktop with firefox');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await expect(card.getByTestId('spec-apps')).toHaveText('firefox-esr');
  await expect(card.getByTestId('spec-network')).toHaveText('egress');
  await expect(card.getByTestId('spec-assumptions')).toContainText('Firefox ESR needs it');

  // Refinements edit the spec on the table and show what changed.
  card = await say(page, 'add vlc');
  await expect(card.getByTestId('spec-apps')).toHaveText('firefox-esr, vlc');
  await expect(card.getByTestId('spec-changes')).toContainText('apps');
  card = await say(page, 'make it 8 GB');
  await expect(card.getByTestId('spec-resources')).toContainText('8192 MiB');
  await expect(card.getByTestId('spec-changes')).toContainText('2048 → 8192');
  card = await say(page, 'actually no internet');
  await expect(card.getByTestId('spec-network')).toHaveText('none');
  await expect(card.getByTestId('spec-changes')).toContainText('egress → none');
  await expect(card.getByTestId('spec-apps')).toHaveText('firefox-esr, vlc');

  // An edit above quota is refused inline; the spec on the table stays as it was.
  card = await say(page, 'make it 512 GB of RAM');
  await expect(card).toHaveAttribute('data-status', 'unsatisfiable');
  await expect(card.getByTestId('spec-problems')).toContainText('the limit is');
  card = await say(page, 'add gimp');
  await expect(card.getByTestId('spec-apps')).toHaveText('firefox-esr, vlc, gimp');
  await expect(card.getByTestId('spec-resources')).toContainText('8192 MiB');

  // A new request starts over; a dangerous one is refused with the reason.
  await page.getByRole('button', { name: 'New request' }).click();
  card = await say(page, 'a privileged container with the docker socket');
  await expect(card).toHaveAttribute('data-status', 'rejected');
  await expect(card.getByTestId('spec-problems')).toContainText('privileged mode is never granted');
  await expect(card.getByRole('button', { name: 'Launch' })).toHaveCount(0);
});
