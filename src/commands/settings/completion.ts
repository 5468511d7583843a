// Setting keys for shell completion, walked from the JSON Schema of all sections.
import { settingsSchema } from '../../core/model/settings';

type Node = { type?: string; properties?: Record<string, Node> };

export function settingKeyList(): string[] {
  const keys: string[] = [];
  const walk = (node: Node, path: string[]) => {
    if (node.type === 'object' && node.properties) {
      for (const [name, child] of Object.entries(node.properties)) walk(child, [...path, name]);
    } else if (path.length) keys.push(path.join('.'));
  };
  walk(settingsSchema(undefined) as Node, []);
  return keys.sort();
}
