import {
  type APIModalInteractionResponseCallbackData,
  type AutocompleteInteraction,
  type Interaction,
  MessageFlags,
  type RepliableInteraction,
} from "discord.js";
import type { DiscordPlace } from "./conversation.js";
import type { IncomingInteraction, InteractionResponder } from "./interaction-flow.js";
import { editOptions, replyOptions } from "./message-options.js";
import type { DiscordMessage } from "./render.js";

/** The discord.js side of an interaction: deferReply, reply, editReply, followUp, respond. */
export class GatewayResponder implements InteractionResponder {
  constructor(private readonly interaction: RepliableInteraction | AutocompleteInteraction) {}

  private repliable(): RepliableInteraction {
    if (this.interaction.isAutocomplete())
      throw new Error("an autocomplete interaction cannot be replied to");
    return this.interaction;
  }

  async defer({ ephemeral }: { ephemeral: boolean }): Promise<void> {
    await this.repliable().deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  }

  async reply(message: DiscordMessage, { ephemeral }: { ephemeral: boolean }): Promise<void> {
    await this.repliable().reply(replyOptions(message, ephemeral));
  }

  async editOriginal(message: DiscordMessage): Promise<void> {
    await this.repliable().editReply(editOptions(message));
  }

  async followUp(message: DiscordMessage, { ephemeral }: { ephemeral: boolean }): Promise<void> {
    await this.repliable().followUp(replyOptions(message, ephemeral));
  }

  async autocomplete(choices: { name: string; value: string }[]): Promise<void> {
    if (!this.interaction.isAutocomplete()) throw new Error("not an autocomplete interaction");
    await this.interaction.respond(choices);
  }

  async acknowledge(): Promise<void> {
    const interaction = this.repliable();
    if (!interaction.isMessageComponent()) throw new Error("only components can be acknowledged silently");
    await interaction.deferUpdate();
  }

  async showModal(modal: APIModalInteractionResponseCallbackData): Promise<void> {
    const interaction = this.repliable();
    if (!interaction.isMessageComponent()) throw new Error("only components can open a modal here");
    await interaction.showModal(modal);
  }
}

function placeOf(interaction: Interaction): DiscordPlace {
  const channel = interaction.channel;
  return {
    guildId: interaction.guildId,
    channelId: interaction.channelId ?? "",
    threadParentId: channel?.isThread() ? channel.parentId : null,
  };
}

/** discord.js interaction → the handler's neutral form. */
export function fromDiscordJs(interaction: Interaction): IncomingInteraction {
  if (interaction.isChatInputCommand()) {
    const options: Record<string, string | number | boolean> = {};
    for (const option of interaction.options.data) {
      if (option.value !== undefined && option.value !== null) options[option.name] = option.value;
    }
    return {
      kind: "command",
      id: interaction.id,
      name: interaction.commandName,
      options,
      userId: interaction.user.id,
      place: placeOf(interaction),
    };
  }
  if (interaction.isAutocomplete()) {
    const focused = interaction.options.getFocused(true);
    return {
      kind: "autocomplete",
      id: interaction.id,
      name: interaction.commandName,
      focused: { name: focused.name, value: String(focused.value) },
    };
  }
  if (interaction.isButton()) {
    return {
      kind: "button",
      id: interaction.id,
      customId: interaction.customId,
      messageId: interaction.message.id,
      userId: interaction.user.id,
    };
  }
  if (interaction.isModalSubmit()) {
    const fields: Record<string, string> = {};
    for (const [customId, field] of interaction.fields.fields)
      if ("value" in field && typeof field.value === "string") fields[customId] = field.value;
    return {
      kind: "modal",
      id: interaction.id,
      customId: interaction.customId,
      userId: interaction.user.id,
      fields,
    };
  }
  return { kind: "other", id: interaction.id };
}
