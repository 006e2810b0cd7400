//! A modal dialog on the native `<dialog>` element: focus moves to its first field and is
//! kept inside, Escape closes it, and the page behind is inert for assistive technology.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn Modal(
    /// The dialog's element id; its title gets `{id}-title`.
    id: &'static str,
    #[prop(into)] title: String,
    /// Called when the person closes the dialog (Escape, the close button).
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        if let Some(element) = dialog.get() {
            if !element.open() {
                let _ = element.show_modal();
                // The browser focuses the first focusable element, the close button: a person
                // opens a dialog to fill it in.
                let field = element
                    .query_selector(".modal-body input:not([type=hidden]), .modal-body textarea, .modal-body select")
                    .ok()
                    .flatten()
                    .and_then(|field| field.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(field) = field {
                    let _ = field.focus();
                }
            }
        }
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <dialog
            id=id
            class="modal"
            node_ref=dialog
            aria-labelledby=labelled_by
            on:close=move |_| on_close.run(())
        >
            <div class="modal-head">
                <h2 id=title_id>{title}</h2>
                <button
                    type="button"
                    class="icon-button"
                    aria-label="Close"
                    data-testid="modal-close"
                    on:click=move |_| {
                        if let Some(element) = dialog.get_untracked() {
                            element.close();
                        }
                    }
                >
                    "×"
                </button>
            </div>
            <div class="modal-body">{children()}</div>
        </dialog>
    }
}
