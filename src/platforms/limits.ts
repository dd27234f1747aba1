// The platform figures the code depends on, in one place. They come from the platforms' own docs
// (docs.slack.dev Block Kit and views reference; developer.work.weixin.qq.com 发送应用消息, 群机器人,
// 更新模版卡片消息) and can change: renderers and tests read them from here, never from literals.

/** Slack: sizes are in characters (UTF-16 code units, as Slack counts them), times in seconds. */
export const SLACK = {
  /** Blocks in one message (chat.postMessage, response_url, ack). */
  messageBlocks: 50,
  /** Blocks in a modal, and in the App Home tab. */
  modalBlocks: 100,
  homeBlocks: 100,
  /**
   * Text across all blocks of one message. Undocumented: Slack answers `msg_blocks_too_long` at about
   * 12,000 text characters plus container overhead (slackapi/bolt-js#2509, #2867), so stay well below.
   */
  messageText: 10_000,
  /** A section's text. */
  sectionText: 3000,
  /** Fields in one section, and the text of each. */
  sectionFields: 10,
  sectionFieldText: 2000,
  /** A header block's plain text. */
  headerText: 150,
  /** Elements in a context block. */
  contextElements: 10,
  /** Elements in an actions block. */
  actionsElements: 25,
  /** A button's label and the value it sends back. */
  buttonText: 75,
  buttonValue: 2000,
  /** action_id, block_id and callback_id. */
  actionId: 255,
  blockId: 255,
  callbackId: 255,
  /** Options in a static select (single or multi), in checkboxes and in radio buttons. */
  selectOptions: 100,
  checkboxOptions: 10,
  radioOptions: 10,
  /** An option's label and value. */
  optionText: 75,
  optionValue: 150,
  /** Options in an overflow menu (2 to 5). */
  overflowOptions: 5,
  /** A modal's title, submit and close labels. */
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  /** private_metadata carried by a view. */
  privateMetadata: 3000,
  /** An input block's label and hint. */
  inputLabel: 2000,
  inputHint: 2000,
  /** A plain_text_input's longest value (its max_length ceiling) and initial value. */
  textInput: 3000,
  /** Errors shown beside fields after a refused view_submission: kept short so they fit under the field. */
  viewErrorText: 150,
  /** Commands, buttons and view submissions must be acknowledged within this time. */
  ackSeconds: 3,
  /** A trigger_id opens a modal only within this time. */
  triggerSeconds: 3,
  /** A response_url answers at most this many times, within this many seconds. */
  responseUrlUses: 5,
  responseUrlSeconds: 30 * 60,
  /** Request timestamps further than this from our clock, either way, are replays (Slack's own recipe). */
  signatureMaxAgeSeconds: 5 * 60,
  /**
   * A request body larger than this is refused with 413 before it is read further. Ours: Slack documents
   * no limit, and its largest payloads (a view_submission with a full modal) are tens of kilobytes.
   */
  requestBodyBytes: 1024 * 1024,
  /** Events API retries of one delivery (x-slack-retry-num). */
  eventRetries: 3,
  /** chat.postMessage: about one message a second per channel; beyond that 429 with Retry-After. */
  postMessagePerChannelPerSecond: 1,
} as const;

/** WeCom (企业微信): sizes are in UTF-8 bytes, as WeCom counts them; times in seconds. */
export const WECOM = {
  /** An app message's text or markdown content (longer text is cut by WeCom). */
  appText: 2048,
  appMarkdown: 2048,
  /** A group robot's markdown content. */
  robotMarkdown: 4096,
  /** Buttons on a button_interaction template card. */
  cardButtons: 6,
  /** A card button's key, sent back as EventKey. */
  cardButtonKey: 1024,
  /** A template card's task_id: digits, letters and _-@ only, unique per app. */
  taskId: 128,
  /** A response_code updates a card once, within this time. */
  responseCodeUses: 1,
  responseCodeSeconds: 72 * 60 * 60,
  /** URL verification must answer the decrypted echostr within this time. */
  verifySeconds: 1,
  /** A callback must be answered within this time, or WeCom pushes it again. */
  callbackSeconds: 5,
  /** An access token from gettoken lives this long; it can be revoked earlier (42001 / 40014). */
  accessTokenSeconds: 7200,
  /** Group robot messages a minute. */
  robotPerMinute: 20,
  /** App messages a minute to one member; the excess is dropped silently. */
  memberPerMinute: 30,
  /** errcode values: token expired or invalid (refresh and retry), and system busy (retry). */
  tokenErrors: [42001, 40014],
  busyError: -1,
  /** errcode for "API frequency out of limit" (robot over 20 a minute, app over its quota): wait, then retry. */
  rateError: 45009,
  /** How long before `expires_in` runs out a cached access token is replaced. */
  tokenRefreshMarginSeconds: 5 * 60,
  /**
   * Template card text, in characters: the card reference recommends these (main title 36, sub title 160,
   * a horizontal item's value 30) and longer text may be cut on screen. A horizontal item's key is
   * recommended at 5; English labels ("Domain", "Source") need more, so up to 10 are kept.
   */
  cardTitle: 36,
  cardSubTitle: 160,
  cardItems: 6,
  cardKeyName: 10,
  cardValue: 30,
  /** A card button's label: recommended at most 10 characters; 24 keeps English labels whole. */
  cardButtonText: 24,
  /** A callback body larger than this is refused with 413 before it is parsed (real ones are about 1 kB). */
  callbackBodyBytes: 64 * 1024,
} as const;

/** Our own inbound webhooks (`/hooks/leads`, `/hooks/activity`). */
export const HOOKS = {
  /** A body larger than this is refused with 413 before it is read further; a lead is well under 2 kB. */
  bodyBytes: 64 * 1024,
  /** A signature's timestamp may be this far from our clock, either way: it bounds replays of a captured request. */
  replayWindowSeconds: 5 * 60,
} as const;

