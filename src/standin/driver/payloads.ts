/** The pieces of the payloads Slack sends: user, team, where an action happened, action values. */
import {
  findElements,
  isObject,
  optionsOf,
  type FoundButton,
  type FoundElement,
  type FoundOption,
  type FoundOverflow,
  type JsonObject,
} from '../blocks';
import type { SlackStandIn, StandInView } from '../web-api';
import { assertUsable, describe, isView, type Surface } from './surface';

export class PayloadParts {
  private seq = 0;

  constructor(
    private readonly standIn: SlackStandIn,
    readonly teamId: string,
    readonly appId: string,
    readonly verificationToken: string,
  ) {}

  /** A counter that keeps action_ts and event ids unique within one millisecond. */
  nextSeq(): number {
    return ++this.seq;
  }

  userName(userId: string): string {
    return this.standIn.user(userId)?.name ?? userId.toLowerCase();
  }

  actionTs(): string {
    const ms = Date.now();
    return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000 + (this.nextSeq() % 1000)).padStart(6, '0')}`;
  }

  /** The fields every interactivity payload starts with. */
  common(type: string, userId: string): JsonObject {
    const name = this.userName(userId);
    return {
      type,
      user: { id: userId, username: name, name, team_id: this.teamId },
      api_app_id: this.appId,
      token: this.verificationToken,
      team: { id: this.teamId, domain: this.standIn.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  /** Where an action happened: container, channel, message, response_url, view. */
  surfaceFields(userId: string, on: Surface): JsonObject {
    assertUsable(userId, on);
    if (isView(on)) {
      return {
        container: { type: 'view', view_id: on.id },
        trigger_id: this.standIn.newTriggerId({ userId, viewId: on.id }),
        view: this.viewPayload(on),
      };
    }
    const fields: JsonObject = {
      container: { type: 'message', message_ts: on.ts, channel_id: on.channel, is_ephemeral: on.ephemeral },
      channel: { id: on.channel, name: this.standIn.channelName(on.channel) },
      trigger_id: this.standIn.newTriggerId({ userId }),
      // A fresh response_url bound to the clicked message, so replace_original replaces it.
      response_url: this.standIn.newResponseUrl({ channelId: on.channel, userId, message: on }),
      state: { values: {} },
    };
    // Slack leaves `message` out for ephemeral messages.
    if (!on.ephemeral) fields.message = this.standIn.messagePayload(on);
    return fields;
  }

  /** For conversation/channel selects with `response_url_enabled`, Slack adds response_urls. */
  responseUrls(userId: string, view: StandInView): JsonObject[] {
    const state = this.standIn.submittedState(view.id);
    const urls: JsonObject[] = [];
    for (const e of findElements(view.view.blocks)) {
      if (!e.inInput || e.element.response_url_enabled !== true) continue;
      const s = state[e.blockId]?.[e.actionId];
      const channelId = isObject(s) ? (s.selected_conversation ?? s.selected_channel) : undefined;
      if (typeof channelId !== 'string') continue;
      urls.push({
        block_id: e.blockId,
        action_id: e.actionId,
        channel_id: channelId,
        response_url: this.standIn.newResponseUrl({ channelId, userId }),
      });
    }
    return urls;
  }

  buttonAction(button: FoundButton): JsonObject {
    const action: JsonObject = {
      type: 'button',
      action_id: button.actionId,
      block_id: button.blockId,
      text: { type: 'plain_text', text: button.text, emoji: true },
      action_ts: this.actionTs(),
    };
    if (button.value !== undefined) action.value = button.value;
    if (button.style !== undefined) action.style = button.style;
    return action;
  }

  overflowAction(overflow: FoundOverflow, option: FoundOption): JsonObject {
    return {
      type: 'overflow',
      action_id: overflow.actionId,
      block_id: overflow.blockId,
      selected_option: { text: { type: 'plain_text', text: option.text, emoji: true }, value: option.value },
      action_ts: this.actionTs(),
    };
  }

  private viewPayload(view: StandInView): JsonObject {
    return structuredClone({ ...view.view, state: { values: this.standIn.submittedState(view.id) } });
  }
}

/** The element state a choice leaves in `state.values` (and, less `type`, in the action). */
export function selectionState(element: FoundElement, value: string, on: Surface): JsonObject {
  const type = element.type;
  const pickOption = (): JsonObject => {
    const options = optionsOf(element.element);
    const option = options.find((o) => o.value === value) ?? options.find((o) => o.text === value);
    if (!option) {
      throw new Error(
        `No option ${JSON.stringify(value)} in ${element.actionId} on ${describe(on)}. Options: ${options.map((o) => `${o.value} ("${o.text}")`).join(', ')}`,
      );
    }
    return structuredClone(option.raw);
  };
  switch (type) {
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: pickOption() };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: [pickOption()] };
    case 'external_select':
      return { type, selected_option: { text: { type: 'plain_text', text: value, emoji: true }, value } };
    case 'multi_external_select':
      return { type, selected_options: [{ text: { type: 'plain_text', text: value, emoji: true }, value }] };
    case 'users_select':
      return { type, selected_user: value };
    case 'multi_users_select':
      return { type, selected_users: [value] };
    case 'conversations_select':
      return { type, selected_conversation: value };
    case 'multi_conversations_select':
      return { type, selected_conversations: [value] };
    case 'channels_select':
      return { type, selected_channel: value };
    case 'multi_channels_select':
      return { type, selected_channels: [value] };
    case 'datepicker':
      return { type, selected_date: value };
    case 'timepicker':
      return { type, selected_time: value };
    default:
      throw new Error(`selectOption does not know element type ${type} (${element.actionId})`);
  }
}
