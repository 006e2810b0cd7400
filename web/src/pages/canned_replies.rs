//! Canned replies: the team's saved answers, typed as `/shortcut` in a conversation's
//! composer. List, create, edit, delete; a live preview filled in by `parley::templates`, the
//! server's own code, flags a bad template before it is saved.

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::ids::CannedReplyId;
use parley::templates::{ContactNames, Template, Variable};
use parley::wire::{CannedReply, CreateCannedReply, UpdateCannedReply};

use crate::api::Api;
use crate::components::canned::{sender_context, CannedReplies};
use crate::components::composer::SegmentCounter;
use crate::components::form::{ErrorLine, FieldError, FormActions, RetryError, SubmitButton};
use crate::components::shell::Account;

/// The contact the preview writes to.
const SAMPLE_CONTACT: &str = "Sarah Chen";

#[derive(Clone, Copy, PartialEq)]
enum Editing {
    Closed,
    New,
    Existing(CannedReplyId),
}

#[component]
pub fn CannedRepliesPage() -> impl IntoView {
    crate::util::set_title("Canned replies");
    let api = Api::new();
    let store = CannedReplies::get();
    // Shown from the cache at once, read again in case a colleague changed them.
    store.reload();
    let editing = RwSignal::new(Editing::Closed);
    let confirm_delete = RwSignal::new(None::<CannedReplyId>);
    let deleting = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);

    let on_saved = Callback::new(move |reply: CannedReply| {
        status.set(Some(format!("Saved /{}.", reply.shortcut)));
        editing.set(Editing::Closed);
        store.saved(reply);
    });
    let on_cancel = Callback::new(move |_: ()| editing.set(Editing::Closed));
    let delete = move |id: CannedReplyId| {
        if deleting.get_untracked() {
            return;
        }
        deleting.set(true);
        error.set(None);
        status.set(None);
        spawn_local(async move {
            match api.delete_canned_reply(id).await {
                Ok(()) => {
                    store.deleted(id);
                    status.try_set(Some("Deleted.".to_string()));
                }
                // Already gone (another tab): the list catches up.
                Err(failure) if failure.is_not_found() => store.deleted(id),
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
            confirm_delete.try_set(None);
            deleting.try_set(false);
        });
    };

    view! {
        <main class="page">
            <div class="page-head">
                <h1 id="canned-replies-title">"Canned replies"</h1>
                <button
                    id="new-canned-reply"
                    type="button"
                    class="primary small"
                    on:click=move |_| {
                        status.set(None);
                        editing.set(Editing::New);
                    }
                >
                    "New reply"
                </button>
            </div>
            <p class="hint">
                "Saved answers for the whole team. In a conversation, type / and the shortcut (or part of the title), then Enter to insert one, filled in for that customer."
            </p>
            <VariablesHelp />
            <RetryError
                id="canned-load-error"
                error=store.error
                on_retry=Callback::new(move |_| store.reload())
            />
            <ErrorLine id="canned-page-error" error=error />
            {move || {
                status
                    .get()
                    .map(|message| {
                        view! {
                            <p id="canned-status" class="notice" role="status">
                                {message}
                            </p>
                        }
                    })
            }}
            {move || {
                (editing.get() == Editing::New)
                    .then(|| view! { <CannedForm existing=None on_saved=on_saved on_cancel=on_cancel /> })
            }}
            {move || match store.list.with(|list| list.as_ref().map(Vec::is_empty)) {
                None => view! { <p class="placeholder">"Loading canned replies…"</p> }.into_any(),
                Some(true) => {
                    view! {
                        <p id="canned-empty" class="placeholder">
                            "No canned replies yet. Create one for the answers you type again and again."
                        </p>
                    }
                        .into_any()
                }
                Some(false) => ().into_any(),
            }}
            // Keyed by version: a reload leaves an unchanged row (and a form open on it) alone.
            <ul id="canned-list" class="canned-list" aria-label="Canned replies">
                <For
                    each=move || store.list.get().unwrap_or_default()
                    key=|reply| (reply.id, reply.updated_at)
                    let:reply
                >
                    <CannedItem
                        reply=reply
                        editing=editing
                        confirm_delete=confirm_delete
                        deleting=deleting
                        status=status
                        on_saved=on_saved
                        on_cancel=on_cancel
                        on_delete=Callback::new(delete)
                    />
                </For>
            </ul>
        </main>
    }
}

/// One reply of the list, or the form editing it.
#[component]
fn CannedItem(
    reply: CannedReply,
    editing: RwSignal<Editing>,
    confirm_delete: RwSignal<Option<CannedReplyId>>,
    deleting: RwSignal<bool>,
    status: RwSignal<Option<String>>,
    on_saved: Callback<CannedReply>,
    on_cancel: Callback<()>,
    on_delete: Callback<CannedReplyId>,
) -> impl IntoView {
    let id = reply.id;
    let is_editing = Memo::new(move |_| editing.get() == Editing::Existing(id));
    move || {
        if is_editing.get() {
            return view! {
                <li class="canned-item editing">
                    <CannedForm existing=Some(reply.clone()) on_saved=on_saved on_cancel=on_cancel />
                </li>
            }
            .into_any();
        }
        let shortcut = reply.shortcut.clone();
        view! {
            <li class="card canned-item" data-testid="canned-reply" data-id=id.to_string()>
                <div class="canned-item-head">
                    <code class="canned-shortcut" data-testid="canned-shortcut">
                        {format!("/{}", reply.shortcut)}
                    </code>
                    <strong class="canned-item-title" data-testid="canned-title">
                        {reply.title.clone()}
                    </strong>
                </div>
                <p class="canned-text" data-testid="canned-text">
                    {reply.text.clone()}
                </p>
                <div class="actions">
                    {move || {
                        if confirm_delete.get() == Some(id) {
                            view! {
                                <span class="confirm-text">{format!("Delete /{shortcut}?")}</span>
                                <button
                                    type="button"
                                    class="secondary small"
                                    data-testid="cancel-delete-canned"
                                    on:click=move |_| confirm_delete.set(None)
                                >
                                    "Keep"
                                </button>
                                <button
                                    type="button"
                                    class="danger small"
                                    data-testid="confirm-delete-canned"
                                    disabled=move || deleting.get()
                                    on:click=move |_| on_delete.run(id)
                                >
                                    "Delete"
                                </button>
                            }
                                .into_any()
                        } else {
                            view! {
                                <button
                                    type="button"
                                    class="secondary small"
                                    data-testid="edit-canned"
                                    on:click=move |_| {
                                        status.set(None);
                                        editing.set(Editing::Existing(id));
                                    }
                                >
                                    "Edit"
                                </button>
                                <button
                                    type="button"
                                    class="secondary small"
                                    data-testid="delete-canned"
                                    on:click=move |_| confirm_delete.set(Some(id))
                                >
                                    "Delete"
                                </button>
                            }
                                .into_any()
                        }
                    }}
                </div>
            </li>
        }
        .into_any()
    }
}

/// The variables a reply may use and the fallback syntax, from the template code itself.
#[component]
fn VariablesHelp() -> impl IntoView {
    let names = Variable::ALL
        .iter()
        .map(|variable| format!("{{{{{}}}}}", variable.name()))
        .collect::<Vec<_>>()
        .join("  ");
    view! {
        <p id="canned-variables" class="hint canned-help">
            "Variables: " <code>{names}</code>
            ". A fallback after | is used when there is no value: "
            <code>"{{contact.first_name|there}}"</code> "."
        </p>
    }
}

/// What a preview shows: the text filled in for a named and an unnamed contact, or why the
/// text is no template.
#[derive(Clone, PartialEq)]
enum Preview {
    Empty,
    Filled { named: String, unnamed: String },
    Invalid(String),
}

#[component]
fn CannedForm(
    existing: Option<CannedReply>,
    on_saved: Callback<CannedReply>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api = Api::new();
    let account = expect_context::<Account>();
    let id = existing.as_ref().map(|reply| reply.id);
    let field = |get: fn(&CannedReply) -> String| {
        RwSignal::new(existing.as_ref().map(get).unwrap_or_default())
    };
    let shortcut = field(|r| r.shortcut.clone());
    let title = field(|r| r.title.clone());
    let text = field(|r| r.text.clone());
    let shortcut_error = RwSignal::new(None::<String>);
    let title_error = RwSignal::new(None::<String>);
    // The server's refusal of the text as it was sent; the live check covers the rest.
    let text_refused = RwSignal::new(None::<(String, String)>);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let shortcut_input = NodeRef::<leptos::html::Input>::new();
    let text_input = NodeRef::<leptos::html::Textarea>::new();

    let preview = Memo::new(move |_| {
        text.with(|text| {
            if text.trim().is_empty() {
                return Preview::Empty;
            }
            match Template::parse(text) {
                Err(problem) => Preview::Invalid(problem.to_string()),
                Ok(template) => {
                    let sender = account
                        .me
                        .with(|me| me.as_ref().map(sender_context))
                        .unwrap_or_default();
                    let named = sender.clone().with_contact(ContactNames {
                        contact_name: Some(SAMPLE_CONTACT),
                        ..ContactNames::default()
                    });
                    Preview::Filled {
                        named: template.render(&named),
                        unnamed: template.render(&sender),
                    }
                }
            }
        })
    });
    let text_error = Signal::derive(move || {
        let refused = text_refused.with(|refused| {
            refused
                .as_ref()
                .filter(|(sent, _)| text.with(|now| now == sent))
                .map(|(_, message)| message.clone())
        });
        refused.or_else(|| match preview.get() {
            Preview::Invalid(message) => Some(message),
            _ => None,
        })
    });
    let named_preview = Signal::derive(move || match preview.get() {
        Preview::Filled { named, .. } => named,
        _ => String::new(),
    });

    Effect::new(move |_| {
        if let Some(input) = shortcut_input.get() {
            let _ = input.focus();
        }
    });

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        // The server would refuse it with the message already shown under the text.
        if matches!(preview.get_untracked(), Preview::Invalid(_)) {
            if let Some(area) = text_input.get_untracked() {
                let _ = area.focus();
            }
            return;
        }
        let values = (
            shortcut.get_untracked().trim().to_string(),
            title.get_untracked(),
            text.get_untracked(),
        );
        pending.set(true);
        error.set(None);
        shortcut_error.set(None);
        title_error.set(None);
        text_refused.set(None);
        spawn_local(async move {
            let (shortcut, title, text) = values;
            let sent_text = text.clone();
            let result = match id {
                None => {
                    api.create_canned_reply(&CreateCannedReply {
                        shortcut,
                        title,
                        text,
                    })
                    .await
                }
                Some(id) => {
                    api.update_canned_reply(
                        id,
                        &UpdateCannedReply {
                            shortcut: Some(shortcut),
                            title: Some(title),
                            text: Some(text),
                        },
                    )
                    .await
                }
            };
            pending.try_set(false);
            match result {
                Ok(reply) => on_saved.run(reply),
                Err(failure) => {
                    let message = failure.message();
                    match failure.field() {
                        Some("shortcut") => {
                            shortcut_error.try_set(Some(message));
                        }
                        Some("title") => {
                            title_error.try_set(Some(message));
                        }
                        Some("text") => {
                            text_refused.try_set(Some((sent_text, message)));
                        }
                        _ => {
                            error.try_set(Some(message));
                        }
                    }
                }
            }
        });
    };

    let heading = if id.is_some() {
        "Edit canned reply"
    } else {
        "New canned reply"
    };
    let invalid = |error: RwSignal<Option<String>>| move || error.with(Option::is_some).to_string();
    view! {
        <form class="card stack canned-form" id="canned-form" on:submit=submit novalidate aria-label=heading>
            <h2>{heading}</h2>
            <div class="field-row canned-fields">
                <div class="field">
                    <label for="canned-shortcut">"Shortcut"</label>
                    <div class="shortcut-input">
                        <span aria-hidden="true">"/"</span>
                        <input
                            id="canned-shortcut"
                            type="text"
                            node_ref=shortcut_input
                            autocomplete="off"
                            autocapitalize="off"
                            spellcheck="false"
                            maxlength="32"
                            placeholder="greet"
                            aria-describedby="canned-shortcut-hint"
                            aria-invalid=invalid(shortcut_error)
                            bind:value=shortcut
                            on:input=move |_| shortcut_error.set(None)
                        />
                    </div>
                    <p id="canned-shortcut-hint" class="hint">
                        "Letters, digits, - and _; typed after /."
                    </p>
                    <FieldError id="canned-shortcut-error" error=shortcut_error />
                </div>
                <div class="field">
                    <label for="canned-title">"Title"</label>
                    <input
                        id="canned-title"
                        type="text"
                        autocomplete="off"
                        maxlength="100"
                        placeholder="Greeting"
                        aria-invalid=invalid(title_error)
                        bind:value=title
                        on:input=move |_| title_error.set(None)
                    />
                    <FieldError id="canned-title-error" error=title_error />
                </div>
            </div>
            <div class="field">
                <label for="canned-text">"Text"</label>
                <textarea
                    id="canned-text"
                    node_ref=text_input
                    rows="4"
                    maxlength="1600"
                    placeholder="Hi {{contact.first_name|there}}, thanks for reaching out! {{agent.name}} from {{tenant.name}}"
                    aria-describedby="canned-variables canned-text-error"
                    aria-invalid=move || text_error.with(Option::is_some).to_string()
                    bind:value=text
                ></textarea>
                <FieldError id="canned-text-error" error=text_error />
            </div>
            <section class="canned-preview" aria-labelledby="canned-preview-title">
                <h3 id="canned-preview-title">"Preview"</h3>
                {move || match preview.get() {
                    Preview::Empty => {
                        view! { <p class="hint">"Write the text to see it filled in."</p> }.into_any()
                    }
                    Preview::Invalid(_) => {
                        view! {
                            <p class="hint" id="canned-preview-invalid">
                                "Fix the text to see it filled in."
                            </p>
                        }
                            .into_any()
                    }
                    Preview::Filled { named, unnamed } => {
                        view! {
                            <dl class="preview-list">
                                <dt>{format!("To {SAMPLE_CONTACT}")}</dt>
                                <dd id="canned-preview" class="preview-text">{named}</dd>
                                <dt>"To a contact without a name"</dt>
                                <dd id="canned-preview-unnamed" class="preview-text">{unnamed}</dd>
                            </dl>
                            <SegmentCounter text=named_preview id="canned-preview-segments" />
                        }
                            .into_any()
                    }
                }}
            </section>
            <ErrorLine id="canned-error" error=error />
            <FormActions on_cancel=on_cancel>
                <SubmitButton id="canned-save" label="Save" pending_label="Saving…" pending=pending />
            </FormActions>
        </form>
    }
}
