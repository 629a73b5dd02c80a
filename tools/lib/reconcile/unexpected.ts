/**
 * Delivered records whose uniqueId no expected record has: either the records of log events outside the window
 * (explained once the backup objects around their data objects show the event) or records the backup cannot
 * explain (never logged, or logged in a backup object that is gone): `unexpected`, what a billing team must see.
 * A few bytes per distinct uniqueId, in typed arrays; the strings are read again from the data objects to list them.
 */
import { HashIndex, float64Column, hash64, uint32Column, uint8Column } from './hash-index.ts';

export class UnknownDeliveries {
  private readonly ids = new HashIndex();
  private readonly group = uint32Column();
  private readonly value = float64Column();
  private readonly object = uint32Column();
  private readonly explained = uint8Column();

  /** Notes a delivered record no expected record has (a repeat of a uniqueId noted before is ignored). */
  add(uniqueId: string, entry: { readonly group: number; readonly value: number; readonly object: number }): void {
    const { hi, lo } = hash64(uniqueId);
    if (this.ids.get(hi, lo) >= 0) return;
    const at = this.ids.size;
    this.ids.add(hi, lo, at);
    this.group.set(at, entry.group);
    this.value.set(at, entry.value);
    this.object.set(at, entry.object);
    this.explained.set(at, 0);
  }

  /** Marks the uniqueId as a record of a log event the backup holds outside the window; returns whether it was noted. */
  explain(uniqueId: string): boolean {
    const { hi, lo } = hash64(uniqueId);
    const at = this.ids.get(hi, lo);
    if (at < 0) return false;
    this.explained.set(at, 1);
    return true;
  }

  /** Whether the uniqueId was noted and is not explained. */
  isUnexplained(uniqueId: string): boolean {
    const { hi, lo } = hash64(uniqueId);
    const at = this.ids.get(hi, lo);
    return at >= 0 && this.explained.get(at) === 0;
  }

  /** The data objects (by number) holding records not explained yet. */
  objectsWithUnexplained(): Set<number> {
    const objects = new Set<number>();
    for (let at = 0; at < this.ids.size; at++) if (this.explained.get(at) === 0) objects.add(this.object.get(at));
    return objects;
  }

  /** Each noted record: its group, delivered value and whether it is explained. */
  forEach(visit: (group: number, value: number, explained: boolean) => void): void {
    for (let at = 0; at < this.ids.size; at++) visit(this.group.get(at), this.value.get(at), this.explained.get(at) === 1);
  }
}
