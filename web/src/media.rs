//! Pictures and files (MMS) in the thread: the bytes come from `/api/v1/media/{id}` with the
//! bearer token (a plain `<img src>` could not send it), as object URLs kept once per item by
//! the open conversation's [`MediaCache`] and revoked when it closes. Pictures show as
//! thumbnails fetched when they scroll into view, opening a viewer; other files as chips.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use parley::mms::{is_picture, size_in_words, type_in_words};
use parley::wire::{Media, MediaId, MediaStatus};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::api::Api;
use crate::components::modal::Modal;

/// Where an item's bytes are.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetched {
    Loading,
    /// An object URL of the bytes.
    Ready(String),
    /// Why they could not be read.
    Failed(String),
}

/// The object URLs of the open conversation's items, fetched once each.
#[derive(Clone, Copy)]
pub struct MediaCache {
    entries: StoredValue<HashMap<MediaId, ArcRwSignal<Fetched>>>,
    api: Api,
}

impl MediaCache {
    /// A cache for the calling component and its children; its URLs are revoked with it.
    pub fn provide() -> MediaCache {
        let cache = MediaCache {
            entries: StoredValue::new(HashMap::new()),
            api: Api::new(),
        };
        on_cleanup(move || {
            cache.entries.try_update_value(|entries| {
                for entry in entries.values() {
                    if let Fetched::Ready(url) = entry.get_untracked() {
                        let _ = web_sys::Url::revoke_object_url(&url);
                    }
                }
                entries.clear();
            });
        });
        provide_context(cache);
        cache
    }

    pub fn get() -> Option<MediaCache> {
        use_context::<MediaCache>()
    }

    /// The item's bytes: fetched the first time (or again after a failure).
    pub fn fetch(&self, id: MediaId) -> ArcRwSignal<Fetched> {
        let known = self
            .entries
            .try_with_value(|entries| entries.get(&id).cloned())
            .flatten();
        let entry = match known {
            Some(entry) if !matches!(entry.get_untracked(), Fetched::Failed(_)) => return entry,
            Some(entry) => {
                entry.set(Fetched::Loading);
                entry
            }
            None => {
                let entry = ArcRwSignal::new(Fetched::Loading);
                self.entries.try_update_value(|entries| {
                    entries.insert(id, entry.clone());
                });
                entry
            }
        };
        let (cache, target) = (*self, entry.clone());
        spawn_local(async move {
            let fetched = match cache.api.media_blob(id).await {
                Ok(blob) => match web_sys::Url::create_object_url_with_blob(&blob) {
                    Ok(url) => Fetched::Ready(url),
                    Err(_) => Fetched::Failed("The browser could not show it.".to_string()),
                },
                Err(failure) => Fetched::Failed(failure.message()),
            };
            // The conversation may have closed meanwhile: nothing would revoke the URL.
            if cache.entries.try_with_value(|_| ()).is_none() {
                if let Fetched::Ready(url) = &fetched {
                    let _ = web_sys::Url::revoke_object_url(url);
                }
                return;
            }
            target.set(fetched);
        });
        entry
    }

    /// Takes over an object URL of an item's bytes the page already has (a file the person
    /// just attached and sent), so that it is not fetched again.
    pub fn put(&self, id: MediaId, url: String) {
        let kept = self
            .entries
            .try_update_value(|entries| match entries.entry(id) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(ArcRwSignal::new(Fetched::Ready(url.clone())));
                    true
                }
            });
        if kept != Some(true) {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    }
}

/// A file name for an item: "picture-1a2b3c4d.png".
pub fn file_name(item: &Media) -> String {
    let extension = match item.content_type.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "audio/mpeg" => "mp3",
        "text/vcard" => "vcf",
        "application/pdf" => "pdf",
        _ => "bin",
    };
    let stem = if is_picture(&item.content_type) {
        "picture"
    } else {
        "file"
    };
    let id = item.id.to_string();
    format!("{stem}-{}.{extension}", &id[..8.min(id.len())])
}

/// "PDF · 240 kB".
pub fn label(content_type: &str, size: i64) -> String {
    format!(
        "{} · {}",
        type_in_words(content_type),
        size_in_words(size.max(0) as u64)
    )
}

/// Calls `start` once the element scrolls near the view (at once without an observer).
fn when_visible(node: NodeRef<leptos::html::Div>, start: impl Fn() + Clone + 'static) {
    let kept = StoredValue::new_local(
        None::<(
            web_sys::IntersectionObserver,
            Closure<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>,
        )>,
    );
    Effect::new(move |_| {
        let Some(element) = node.get() else {
            return;
        };
        let begin = start.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>::new(
            move |entries: js_sys::Array, observer: web_sys::IntersectionObserver| {
                let seen = entries.iter().any(|entry| {
                    entry
                        .unchecked_into::<web_sys::IntersectionObserverEntry>()
                        .is_intersecting()
                });
                if seen {
                    observer.disconnect();
                    begin();
                }
            },
        );
        let options = web_sys::IntersectionObserverInit::new();
        options.set_root_margin("300px");
        match web_sys::IntersectionObserver::new_with_options(
            callback.as_ref().unchecked_ref(),
            &options,
        ) {
            Ok(observer) => {
                observer.observe(&element);
                kept.set_value(Some((observer, callback)));
            }
            Err(_) => start(),
        }
    });
    on_cleanup(move || {
        kept.try_update_value(|kept| {
            if let Some((observer, _)) = kept.take() {
                observer.disconnect();
            }
        });
    });
}

/// The items of a message, in order; `on_open` opens a picture in the viewer.
#[component]
pub fn MediaItems(media: Vec<Media>, on_open: Callback<Media>) -> impl IntoView {
    (!media.is_empty()).then(|| {
        view! {
            <div class="media-items" data-testid="media-items">
                {media
                    .into_iter()
                    .map(|item| view! { <MediaItem item=item on_open=on_open /> })
                    .collect_view()}
            </div>
        }
    })
}

#[component]
fn MediaItem(item: Media, on_open: Callback<Media>) -> impl IntoView {
    let picture = is_picture(&item.content_type);
    match item.status {
        MediaStatus::Pending => view! {
            <p class="media-note" data-testid="media-pending" role="status">
                {if picture { "Loading picture…" } else { "Loading file…" }}
            </p>
        }
        .into_any(),
        MediaStatus::Unavailable => view! {
            <p
                class="media-note media-unavailable"
                data-testid="media-unavailable"
                title=format!("{} that could not be fetched from the carrier", type_in_words(&item.content_type))
            >
                "Media unavailable"
            </p>
        }
        .into_any(),
        MediaStatus::Stored => {
            let cache = MediaCache::get();
            let node = NodeRef::<leptos::html::Div>::new();
            let entry = RwSignal::new(None::<ArcRwSignal<Fetched>>);
            let id = item.id;
            let start = move || {
                if let Some(cache) = cache {
                    entry.try_set(Some(cache.fetch(id)));
                }
            };
            when_visible(node, start);
            let fetched = move || entry.with(|e| e.as_ref().map(|e| e.get()));
            let words = label(&item.content_type, item.size);
            if picture {
                let alt = type_in_words(&item.content_type);
                let shown = item.clone();
                view! {
                    <div class="media-item" node_ref=node>
                        <button
                            type="button"
                            class="media-thumb"
                            data-testid="media-thumb"
                            data-media-id=id.to_string()
                            aria-label=format!("Open the picture ({words})")
                            on:click=move |_| on_open.run(shown.clone())
                        >
                            {move || match fetched() {
                                Some(Fetched::Ready(url)) => view! {
                                    <img src=url alt=alt.clone() decoding="async" />
                                }
                                .into_any(),
                                Some(Fetched::Failed(_)) => view! {
                                    <span class="thumb-note">"Picture could not be loaded"</span>
                                }
                                .into_any(),
                                None | Some(Fetched::Loading) => view! {
                                    <span class="thumb-note">"Loading picture…"</span>
                                }
                                .into_any(),
                            }}
                        </button>
                    </div>
                }
                .into_any()
            } else {
                let name = file_name(&item);
                view! {
                    <div class="media-item" node_ref=node>
                        <a
                            class="file-chip"
                            data-testid="media-file"
                            data-media-id=id.to_string()
                            href=move || match fetched() {
                                Some(Fetched::Ready(url)) => Some(url),
                                _ => None,
                            }
                            download=name
                            aria-disabled=move || {
                                (!matches!(fetched(), Some(Fetched::Ready(_)))).then_some("true")
                            }
                        >
                            {words}
                            {move || match fetched() {
                                Some(Fetched::Failed(_)) => " (could not be loaded)",
                                Some(Fetched::Ready(_)) => " · Download",
                                _ => "",
                            }}
                        </a>
                    </div>
                }
                .into_any()
            }
        }
    }
}

/// A picture shown large, with its type, size and a download link; Escape closes it.
#[component]
pub fn MediaViewer(item: Media, on_close: Callback<()>) -> impl IntoView {
    let entry = MediaCache::get().map(|cache| cache.fetch(item.id));
    let fetched = move || entry.as_ref().map(|e| e.get());
    let name = file_name(&item);
    let words = label(&item.content_type, item.size);
    let alt = type_in_words(&item.content_type);
    view! {
        <Modal id="media-viewer" title="Picture" on_close=on_close>
            <figure class="viewer">
                {move || match fetched() {
                    Some(Fetched::Ready(url)) => view! {
                        <img id="viewer-image" src=url.clone() alt=alt.clone() />
                        <figcaption>
                            <span id="viewer-meta">{words.clone()}</span>
                            " · "
                            <a id="viewer-download" href=url download=name.clone()>
                                "Download"
                            </a>
                        </figcaption>
                    }
                    .into_any(),
                    Some(Fetched::Failed(message)) => view! {
                        <p class="error-text" role="alert">{message}</p>
                    }
                    .into_any(),
                    _ => view! { <p class="media-note">"Loading picture…"</p> }.into_any(),
                }}
            </figure>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_get_a_name_and_a_label() {
        let item: Media = serde_json::from_value(serde_json::json!({
            "id": "0194f5c2-7d1e-7000-8000-000000000001", "content_type": "application/pdf",
            "size": 245760, "sha256": null, "url": "/api/v1/media/x"
        }))
        .expect("media");
        assert_eq!(file_name(&item), "file-0194f5c2.pdf");
        assert_eq!(label(&item.content_type, item.size), "PDF · 240 kB");
    }
}
