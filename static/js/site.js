// Site-wide behaviour. No inline scripts anywhere: the CSP allows only files from this origin.
document.documentElement.classList.add("js");
