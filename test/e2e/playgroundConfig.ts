import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/processes';

/**
 * The mock tenant the Agents Playground shows (.m365agentsplayground.yml, read from the
 * repository root): its bot, chats and users. A reader for that file's simple shape only.
 */

export interface MockUser {
  id: string;
  name: string;
  aadObjectId: string;
  userPrincipleName?: string;
}

export interface PlaygroundConfig {
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: MockUser;
  users: MockUser[];
  personalChatId: string;
  groupChat: { id: string; name: string };
}

function block(text: string, key: string): Record<string, string> {
  const match = new RegExp(`^${key}:\\n((?:  \\w+: .*\\n?)+)`, 'm').exec(text);
  if (!match) throw new Error(`.m365agentsplayground.yml has no ${key} block`);
  return Object.fromEntries([...match[1].matchAll(/^ {2}(\w+): (.*)$/gm)].map((m) => [m[1], m[2].trim()]));
}

export function readPlaygroundConfig(file = path.join(ROOT, '.m365agentsplayground.yml')): PlaygroundConfig {
  const text = readFileSync(file, 'utf8');
  const usersBlock = /^users:\n((?: {2}.*\n?)+)/m.exec(text)?.[1] ?? '';
  const users = usersBlock
    .split(/^ {2}- /m)
    .filter((item) => item.trim())
    .map((item) => Object.fromEntries([...item.matchAll(/^\s*(\w+): (.*)$/gm)].map((m) => [m[1], m[2].trim()])) as unknown as MockUser);
  const bot = block(text, 'bot');
  const groupChat = block(text, 'groupChat');
  return {
    tenantId: /^tenantId: (.+)$/m.exec(text)![1].trim(),
    bot: { id: bot.id, name: bot.name },
    currentUser: block(text, 'currentUser') as unknown as MockUser,
    users,
    personalChatId: block(text, 'personalChat').id,
    groupChat: { id: groupChat.id, name: groupChat.name },
  };
}
