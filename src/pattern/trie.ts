/** A character trie whose nodes hold entries: walking a string visits every entry stored under one of its
 *  prefixes. The prefix and suffix indexes of compile.ts are built from it (suffixes stored reversed). */
export class PrefixTrie<T> {
  private readonly entries: T[] = [];
  private readonly children = new Map<string, PrefixTrie<T>>();

  add(key: string, entry: T): void {
    let node: PrefixTrie<T> = this;
    for (const ch of key) {
      let child = node.children.get(ch);
      if (child === undefined) {
        child = new PrefixTrie<T>();
        node.children.set(ch, child);
      }
      node = child;
    }
    node.entries.push(entry);
  }

  /** Calls `visit` for every entry whose key is a prefix of `text`. */
  walk(text: string, visit: (entry: T) => void): void {
    let node: PrefixTrie<T> | undefined = this;
    for (const entry of node.entries) visit(entry);
    for (const ch of text) {
      node = node.children.get(ch);
      if (node === undefined) return;
      for (const entry of node.entries) visit(entry);
    }
  }
}

export const reverse = (s: string): string => [...s].reverse().join('');
