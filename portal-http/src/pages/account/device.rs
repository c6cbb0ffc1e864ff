//! A session's browser in a few words — "Firefox on Windows", "Safari on iPhone" — from the
//! `User-Agent` it signed in with. The names are brands, the same in every language; only the
//! sentence around them is translated.

/// The browser and the system of a user agent, as far as they are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Device {
    /// The browser's name.
    pub(super) browser: Option<&'static str>,
    /// The operating system's (or the device's) name.
    pub(super) system: Option<&'static str>,
}

/// Browsers by a mark in their user agent, most specific first: Edge and Opera also say
/// "Chrome", and Chrome also says "Safari".
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("HeadlessChrome/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
];

/// Systems by a mark in their user agent, most specific first: iOS and Android also say
/// "like Mac OS X" and "Linux".
const SYSTEMS: &[(&str, &str)] = &[
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

impl Device {
    /// What `agent` says of itself.
    pub(super) fn of(agent: Option<&str>) -> Self {
        let agent = agent.unwrap_or_default();
        let find = |table: &[(&str, &'static str)]| {
            table
                .iter()
                .find_map(|(mark, name)| agent.contains(mark).then_some(*name))
        };
        Self {
            browser: find(BROWSERS),
            system: find(SYSTEMS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Device;

    fn of(agent: &str) -> (Option<&'static str>, Option<&'static str>) {
        let device = Device::of(Some(agent));
        (device.browser, device.system)
    }

    #[test]
    fn common_browsers_are_named() {
        assert_eq!(
            of("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"),
            (Some("Firefox"), Some("Windows"))
        );
        assert_eq!(
            of(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
            ),
            (Some("Safari"), Some("macOS"))
        );
        assert_eq!(
            of(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
            ),
            (Some("Safari"), Some("iPhone"))
        );
        assert_eq!(
            of(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
            ),
            (Some("Chrome"), Some("Android"))
        );
        assert_eq!(
            of(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
            ),
            (Some("Edge"), Some("Windows"))
        );
        assert_eq!(of("curl/8.5.0"), (None, None));
        assert_eq!(
            Device::of(None),
            Device {
                browser: None,
                system: None
            }
        );
    }
}
