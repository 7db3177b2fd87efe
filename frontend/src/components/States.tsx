// What a page shows while loading, on an error, and when there is nothing yet.
import type { ComponentChildren } from "preact";
import { ApiError } from "../api/client";

/** Nothing to show yet, and the command that fills it. */
export function Empty(props: { what: string; command: string }) {
  return (
    <div class="empty" role="status">
      <p>No {props.what} yet.</p>
      <p>
        Run <code>{props.command}</code> to fill it.
      </p>
    </div>
  );
}

/** The server's one-line message (or the network's). */
export function ErrorLine(props: { error: unknown }) {
  const e = props.error;
  const text = e instanceof ApiError ? `${e.message} (${e.status})` : String(e);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

/** A titled block of a page. */
export function Card(props: { title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <section class={props.wide ? "card wide" : "card"} aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}
