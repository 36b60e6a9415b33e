// Renderer entry: creates the Vue app with Pinia and vue-i18n and mounts it. Stores wire themselves to the bridge;
// App.vue decides which screen shows.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n, setLocale, currentLocale } from './i18n'
import './styles/main.css'
import './styles/dialog.css'
import './styles/timeline.css'

setLocale(currentLocale())
createApp(App).use(createPinia()).use(i18n).mount('#app')
