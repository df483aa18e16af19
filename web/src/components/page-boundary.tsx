import { Component, type ComponentChildren } from "preact";

interface State {
  error?: Error;
}

/** A bug in a page shows its message instead of leaving the page blank. */
export class PageBoundary extends Component<{ children: ComponentChildren }, State> {
  static override getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override render() {
    if (this.state.error === undefined) return this.props.children;
    return (
      <div class="notice notice-error" role="alert">
        <strong>This page stopped working:</strong> {this.state.error.message}. Reload the page to try again;
        the other pages may still work.
      </div>
    );
  }
}
