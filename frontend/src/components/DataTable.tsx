// A sortable, virtualised table: only the rows in view are in the DOM, so 10,000 rows scroll
// smoothly; click or press Enter on a header to sort by it (again to reverse).
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { sortRows } from "../shape";

export interface Column<T> {
  key: string;
  label: string;
  value: (row: T) => unknown;
  render?: (row: T) => ComponentChildren;
  numeric?: boolean;
  width?: string;
}

interface TableProps<T> {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  initialSort?: { key: string; descending: boolean };
  height?: number;
  selected?: Set<string>;
  onToggle?: (key: string) => void;
  label: string;
}

const ROW_HEIGHT = 32;

/** The table; `selected`/`onToggle` add a checkbox column. */
export function DataTable<T>(props: TableProps<T>) {
  const [sort, setSort] = useState(props.initialSort ?? { key: "", descending: false });
  const [scrollTop, setScrollTop] = useState(0);
  const height = props.height ?? 480;
  const sorted = useMemo(() => {
    const column = props.columns.find((c) => c.key === sort.key);
    return column ? sortRows(props.rows, column.value, sort.descending) : props.rows;
  }, [props.rows, props.columns, sort]);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - 10);
  const last = Math.min(sorted.length, first + Math.ceil(height / ROW_HEIGHT) + 20);
  const toggleSort = (key: string) =>
    setSort((s) => ({ key, descending: s.key === key ? !s.descending : true }));
  const template = [
    ...(props.onToggle ? ["2.2rem"] : []),
    ...props.columns.map((c) => c.width ?? "minmax(6rem, 1fr)"),
  ].join(" ");
  return (
    <div class="table" role="table" aria-label={props.label} aria-rowcount={sorted.length}>
      <div class="table-head" role="row" style={{ gridTemplateColumns: template }}>
        {props.onToggle && <span role="columnheader" aria-label="select" />}
        {props.columns.map((c) => (
          <span
            role="columnheader"
            tabIndex={0}
            class={c.numeric ? "num sortable" : "sortable"}
            aria-sort={sort.key === c.key ? (sort.descending ? "descending" : "ascending") : "none"}
            onClick={() => toggleSort(c.key)}
            onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && toggleSort(c.key)}
            key={c.key}
          >
            {c.label}
            {sort.key === c.key ? (sort.descending ? " ▾" : " ▴") : ""}
          </span>
        ))}
      </div>
      <div
        class="table-body"
        style={{ height: `${Math.min(height, sorted.length * ROW_HEIGHT + 2)}px` }}
        onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
      >
        <div style={{ height: `${sorted.length * ROW_HEIGHT}px`, position: "relative" }}>
          {sorted.slice(first, last).map((row, i) => {
            const key = props.rowKey(row);
            return (
              <div
                role="row"
                class={props.selected?.has(key) ? "row selected" : "row"}
                key={key}
                style={{
                  gridTemplateColumns: template,
                  top: `${(first + i) * ROW_HEIGHT}px`,
                  height: `${ROW_HEIGHT}px`,
                }}
              >
                {props.onToggle && (
                  <span role="cell">
                    <input
                      type="checkbox"
                      aria-label={`select ${key}`}
                      checked={props.selected?.has(key) ?? false}
                      onChange={() => props.onToggle?.(key)}
                    />
                  </span>
                )}
                {props.columns.map((c) => (
                  <span role="cell" class={c.numeric ? "num" : ""} key={c.key}>
                    {c.render ? c.render(row) : String(c.value(row) ?? "—")}
                  </span>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
