//! The choice of who works on a conversation, the same in the conversation's header and on
//! each row of the list: "Unassigned" or one of the tenant's people.

use leptos::prelude::*;
use parley::wire::{User, UserId};

#[component]
pub fn AssigneeSelect(
    /// The element's id (the header's is `assignee`); rows go without one.
    #[prop(optional)]
    id: Option<&'static str>,
    /// What a screen reader says of the control when no visible label names it.
    #[prop(optional, into)]
    label: Option<String>,
    #[prop(optional)] test_id: Option<&'static str>,
    #[prop(optional)] class: Option<&'static str>,
    users: RwSignal<Vec<User>>,
    #[prop(into)] assignee: Signal<Option<UserId>>,
    on_change: Callback<Option<UserId>>,
) -> impl IntoView {
    view! {
        <select
            id=id
            class=class
            aria-label=label
            data-testid=test_id
            on:change=move |event| {
                on_change.run(event_target_value(&event).parse::<UserId>().ok());
            }
        >
            <option value="" prop:selected=move || assignee.get().is_none()>
                "Unassigned"
            </option>
            <For each=move || users.get() key=|u| (u.id, u.name.clone()) let:user>
                {
                    let user_id = user.id;
                    view! {
                        <option
                            value=user_id.to_string()
                            prop:selected=move || assignee.get() == Some(user_id)
                        >
                            {user.name.clone()}
                        </option>
                    }
                }
            </For>
        </select>
    }
}
