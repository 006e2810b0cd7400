//! Form pieces every page repeats: the error lines, the buttons row with its submit button,
//! and a `<select>` over a wire enum.

use leptos::prelude::*;
use parley::wire::{Channel, ConversationStatus, QualificationStatus};

use crate::components::status::qualification_label;
use crate::util::humanize;

/// A form's or a page's error, when there is one.
#[component]
pub fn ErrorLine(
    #[prop(into)] error: Signal<Option<String>>,
    /// The element's id, for tests and `aria-describedby`.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p id=id class="error" role="alert">
                    {message}
                </p>
            }
        })
    }
}

/// The server's refusal of one field, under that field.
#[component]
pub fn FieldError(id: &'static str, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p id=id class="field-error" role="alert">
                    {message}
                </p>
            }
        })
    }
}

/// A load that failed, with a button to try it again.
#[component]
pub fn RetryError(
    id: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
    on_retry: Callback<()>,
) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <div id=id class="error" role="alert">
                    <p>{message}</p>
                    <button type="button" class="secondary small" on:click=move |_| on_retry.run(())>
                        "Try again"
                    </button>
                </div>
            }
        })
    }
}

/// The buttons at the end of a form: Cancel when the form can be left, then the caller's
/// buttons (its [`SubmitButton`] last).
#[component]
pub fn FormActions(
    #[prop(optional)] on_cancel: Option<Callback<()>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="actions">
            {on_cancel
                .map(|cancel| {
                    view! {
                        <button type="button" class="secondary" on:click=move |_| cancel.run(())>
                            "Cancel"
                        </button>
                    }
                })}
            {children()}
        </div>
    }
}

/// A form's submit button: disabled, busy and relabelled while its request is under way.
#[component]
pub fn SubmitButton(
    id: &'static str,
    label: &'static str,
    /// The label while pending ("Saving…").
    pending_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    /// Disabled for another reason as well (still loading…).
    #[prop(optional, into)]
    disabled: Option<Signal<bool>>,
) -> impl IntoView {
    let disabled = move || pending.get() || disabled.is_some_and(|d| d.get());
    view! {
        <button
            id=id
            type="submit"
            class="primary"
            disabled=disabled
            aria-busy=move || pending.get().to_string()
        >
            {move || if pending.get() { pending_label } else { label }}
        </button>
    }
}

/// A wire enum offered in a `<select>`: its values, their wire names, and words for them.
pub trait Choice: Copy + PartialEq + Send + Sync + 'static {
    const OPTIONS: &'static [Self];
    fn value(self) -> &'static str;
    fn from_value(value: &str) -> Option<Self>;
    fn label(self) -> String;
}

/// A `wire_enum!` type as a [`Choice`], with its words.
macro_rules! choice {
    ($name:ident, $label:expr) => {
        impl Choice for $name {
            const OPTIONS: &'static [$name] = $name::ALL;
            fn value(self) -> &'static str {
                self.as_str()
            }
            fn from_value(value: &str) -> Option<$name> {
                $name::parse(value)
            }
            fn label(self) -> String {
                let label: fn($name) -> String = $label;
                label(self)
            }
        }
    };
}

choice!(QualificationStatus, |s| qualification_label(s).into());
choice!(Channel, |channel| channel.as_str().to_uppercase());
choice!(ConversationStatus, |status| humanize(status.as_str()));

/// A `<select>` over a wire enum's values. With `none`, a first empty option stands for
/// "no value" (a filter's "Any"); without it, one value is always chosen.
#[component]
pub fn EnumSelect<T>(
    id: &'static str,
    #[prop(into)] selected: Signal<Option<T>>,
    /// Called with what the person chose (`None`: the empty option).
    on_change: Callback<Option<T>>,
    #[prop(optional)] none: Option<&'static str>,
) -> impl IntoView
where
    T: Choice,
{
    view! {
        <select id=id on:change=move |event| on_change.run(T::from_value(&event_target_value(&event)))>
            {none
                .map(|label| {
                    view! {
                        <option value="" prop:selected=move || selected.with(Option::is_none)>
                            {label}
                        </option>
                    }
                })}
            {T::OPTIONS
                .iter()
                .map(|option| {
                    let option = *option;
                    view! {
                        <option value=option.value() prop:selected=move || selected.get() == Some(option)>
                            {option.label()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}
