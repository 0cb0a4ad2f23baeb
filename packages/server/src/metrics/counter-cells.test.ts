import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterCells } from './counter-cells.js';

function counterWithCells() {
  const registry = new Registry();
  // collect runs only when the metric is read, after `cells` exists.
  const counter: Counter<'backend' | 'key_name'> = new Counter({
    name: 'tokens_total',
    help: 'h',
    labelNames: ['backend', 'key_name'],
    registers: [registry],
    collect: (): void => cells.flush(),
  });
  const cells: CounterCells<'backend' | 'key_name'> = new CounterCells(counter, ['backend', 'key_name']);
  return { registry, counter, cells };
}

describe('CounterCells', () => {
  it('hands its sums to the counter whenever prom-client collects it, per label set', async () => {
    const { registry, counter, cells } = counterWithCells();
    const a = cells.cell('nvidia', 'team-a');
    cells.add(a, 12);
    cells.add(cells.cell('nvidia', 'team-a'), 3); // the same label values find the same cell
    cells.add(cells.cell('nvidia', undefined), 5); // an undefined value leaves its label out
    const text = await registry.metrics();
    expect(text).toContain('tokens_total{backend="nvidia",key_name="team-a"} 15');
    expect(text).toContain('tokens_total{backend="nvidia"} 5');
    cells.add(a, 1);
    // get() collects too, and what was handed over before is not handed over again.
    const values = (await counter.get()).values;
    expect(values.find((value) => value.labels.key_name === 'team-a')?.value).toBe(16);
    expect(values.find((value) => value.labels.key_name === undefined)?.value).toBe(5);
  });

  it('shows a label set that was only ever given 0, as prom-client does', async () => {
    const { registry, cells } = counterWithCells();
    cells.add(cells.cell('nvidia', 'idle'), 0);
    expect(await registry.metrics()).toContain('tokens_total{backend="nvidia",key_name="idle"} 0');
  });

  it('refuses what prom-client refuses, before it is added', async () => {
    const { registry, cells } = counterWithCells();
    const cell = cells.cell('nvidia', 'a');
    expect(() => cells.add(cell, -1)).toThrow('It is not possible to decrease a counter');
    expect(() => cells.add(cell, Number.NaN)).toThrow(/not a valid number/);
    expect(() => cells.add(cell, Infinity)).toThrow(/not a valid number/);
    expect(await registry.metrics()).not.toContain('key_name="a"');
  });

  it('keeps an empty label value apart from an absent one', async () => {
    const { counter, cells } = counterWithCells();
    cells.add(cells.cell('nvidia', ''), 1);
    cells.add(cells.cell('nvidia', undefined), 2);
    const values = (await counter.get()).values.map((value) => [value.labels.key_name, value.value]);
    expect(values).toEqual(expect.arrayContaining([['', 1], [undefined, 2]]));
  });
});
