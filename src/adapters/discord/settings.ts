/** The Discord bot's settings for the gateway (from the environment, through the app's config). */
export interface DiscordSettings {
  token: string;
  applicationId: string;
  publicKey?: string;
  guildId?: string;
  apiUrl?: string;
  messageContent: boolean;
  registerOnStart: boolean;
}

/** Discord HTTP interactions only need the public key (and the app id for follow-ups). */
export interface DiscordInteractionsSettings {
  publicKey: string;
  applicationId: string;
  token?: string;
  apiUrl?: string;
}
