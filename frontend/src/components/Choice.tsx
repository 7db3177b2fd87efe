// A labelled drop-down over a fixed list of string values.

/** `label` then a select of `choices` (the empty string shows as `emptyLabel`). */
export function Choice<T extends string>(props: {
  label: string;
  value: T;
  choices: readonly T[];
  onChange: (value: T) => void;
  emptyLabel?: string;
}) {
  return (
    <label>
      {props.label}{" "}
      <select value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value as T)}>
        {props.choices.map((c) => (
          <option key={c} value={c}>
            {c || (props.emptyLabel ?? "any")}
          </option>
        ))}
      </select>
    </label>
  );
}
