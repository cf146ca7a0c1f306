/**
 * The open dialog (modal) walked in the terminal: shown with its own control numbers, buttons
 * pressed by number, then one prompt per field and a submit; again while the app keeps it open
 * (after `response_action: errors` only the fields in error are asked).
 */
import { findInputs, textOf, type StandInView } from '../standin';
import { activate, type Numbered } from './controls';
import { askInput } from './dialog-fields';
import { bold, dim, renderSurface } from './render';
import { LOADING, type DemoSession } from './session';

/** Walk the open dialog: buttons, then one prompt per input, then submit; repeat while it stays open. */
export async function walkDialog(session: DemoSession): Promise<void> {
  const { standIn, driver, color } = session.options;
  let errorsOnly = false;
  for (let round = 0; round < 100 && !session.stopped; round++) {
    const view = standIn.openModal(session.me.slackId);
    if (!view) return;
    const state = standIn.submittedState(view.id);
    const errors = view.errors ?? {};
    const rendered = renderSurface(view.view.blocks, { firstNumber: 1, userName: session.userName, state, errors, color });
    const title = textOf(view.view.title) || 'Dialog';
    const submit = textOf(view.view.submit);
    const inputs = findInputs(view.view.blocks);
    session.print(`${dim('┏━━', color)} ${bold(title, color)} ${dim('(dialog)', color)}\n${rendered.text}`);
    if (LOADING.test(rendered.text)) {
      session.print(dim('(still working; type modal to come back to this dialog)', color));
      return;
    }
    const controls = rendered.controls.map((control): Numbered => ({ control, on: { kind: 'view', id: view.id } }));
    if (inputs.length === 0 && submit === '' && controls.length === 0) {
      await driver.closeView(session.me.slackId, view);
      session.print(dim('┗━━ (dialog closed)', color));
      await session.settle();
      return;
    }
    // After `response_action: errors` the fields in error are asked again straight away.
    if (controls.length > 0 && !errorsOnly) {
      const then = inputs.length > 0 ? 'fill in the form' : submit ? 'go on' : 'close it';
      const answer = (await session.ask(`Dialog: a number presses that button, Enter to ${then}, “close” to close: `)).trim();
      if (/^(close|cancel)$/i.test(answer) || (answer === '' && inputs.length === 0 && !submit)) {
        await closeDialog(session, view);
        return;
      }
      if (/^\d+$/.test(answer)) {
        const entry = controls[Number(answer) - 1];
        if (!entry) session.print(`No button [${answer}] in this dialog.`);
        else if (await activate(session, entry)) await session.settle();
        continue;
      }
      if (answer !== '') {
        session.print(`   Type a button's number, press Enter, or type close.`);
        continue;
      }
    }
    const errored = inputs.filter((i) => errors[i.blockId] !== undefined);
    const toAsk = errorsOnly && errored.length > 0 ? errored : inputs;
    const values: Record<string, Record<string, unknown>> = {};
    for (const input of toAsk) {
      const value = await askInput(session, view, input, state[input.blockId]?.[input.actionId]);
      if (value !== undefined) values[input.blockId] = { ...(values[input.blockId] ?? {}), [input.actionId]: value };
    }
    if (!submit) {
      await closeDialog(session, view);
      return;
    }
    if (/^n/i.test((await session.ask(`Submit “${submit}”? [Y/n] `)).trim())) {
      await closeDialog(session, view);
      return;
    }
    const res = await driver.submitView(session.me.slackId, view, values);
    for (const problem of res.answerProblems) session.print(`⚠️  Slack would reject the app's answer: ${problem}`);
    if (res.status !== 200) session.print(`⚠️  Slack would show “We had some trouble connecting” (HTTP ${res.status}).`);
    await session.settle();
    const after = standIn.views.get(view.id);
    errorsOnly = Boolean(after && !after.closed && after.errors && Object.keys(after.errors).length > 0);
    if (!after || after.closed) session.print(dim('┗━━ (dialog closed)', color));
  }
}

async function closeDialog(session: DemoSession, view: StandInView): Promise<void> {
  await session.options.driver.closeView(session.me.slackId, view);
  session.print(dim('┗━━ (dialog closed)', session.options.color));
  await session.settle();
}
